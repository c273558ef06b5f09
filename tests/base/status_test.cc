// base::Status and base::StatusOr: the error currency of every layer.
#include "base/status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using base::Status;
using base::StatusOr;

TEST(Status, DefaultIsOkAndCarriesNothing) {
  const Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_TRUE(s.problems().empty());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, ErrorKeepsCodeMessageAndPlace) {
  const Status s = Status::InvalidArgument("must be a string", "context.patientId");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "must be a string");
  EXPECT_EQ(s.where(), "context.patientId");
  EXPECT_EQ(s.ToString(), "invalid argument: must be a string (at context.patientId)");
  ASSERT_EQ(s.problems().size(), 1u);
  EXPECT_EQ(s.problems()[0].where, "context.patientId");
}

TEST(Status, CopiesAreIndependent) {
  Status a = Status::IoError("disk full");
  Status b = a;
  a = Status::Ok();
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(b.code(), Status::Code::kIoError);
  EXPECT_EQ(b.message(), "disk full");
  Status c = std::move(b);
  EXPECT_EQ(c.message(), "disk full");
}

TEST(Status, ProblemsKeepEveryEntryAndTheFirstIsTheMessage) {
  const Status none = Status::FromProblems(Status::Code::kInvalidArgument, {});
  EXPECT_TRUE(none.ok());
  const Status s = Status::FromProblems(Status::Code::kInvalidArgument,
                                        {{"required", "Missing hook.", "hook"},
                                         {"structure", "context must be an object.", "context"}});
  EXPECT_EQ(s.message(), "Missing hook.");
  EXPECT_EQ(s.where(), "hook");
  ASSERT_EQ(s.problems().size(), 2u);
  EXPECT_EQ(s.problems()[1].kind, "structure");
  EXPECT_EQ(s.problems()[1].where, "context");
}

TEST(Status, AnnotatePrefixesMessageAndProblemsAndLeavesOkAlone) {
  EXPECT_TRUE(Status().Annotate("x").ok());
  const Status s = Status::InvalidArgument("unknown key").Annotate("/etc/a.json");
  EXPECT_EQ(s.message(), "/etc/a.json: unknown key");
  EXPECT_EQ(s.problems()[0].message, "/etc/a.json: unknown key");
}

TEST(StatusOr, HoldsAValueOrTheReason) {
  StatusOr<std::string> v = std::string("ok");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v.status().ok());
  EXPECT_EQ(*v, "ok");
  EXPECT_EQ(v->size(), 2u);
  StatusOr<std::string> e = Status::NotFound("no such card");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Status::Code::kNotFound);
}

TEST(StatusOr, AnOkStatusWithoutValueIsAnInternalError) {
  StatusOr<int> e = Status::Ok();
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), Status::Code::kInternal);
}

}  // namespace
