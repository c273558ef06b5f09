// The real binary at a terminal: evaluate shows each sample's cards to a person, exit codes are
// the documented ones, and request/evaluate agree.
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>

namespace {

using namespace testing_support;

struct ProcessRun {
  int exit_code = -1;
  std::string out;
};

ProcessRun Exec(const std::string& args) {
  const std::string cmd = std::string(ANAKINRA_BINARY) + " " + args + " 2>/dev/null";
  ProcessRun r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(Cli, EvaluateTextShowsEverySampleCards) {
  int samples = 0;
  for (const auto& e : std::filesystem::directory_iterator(SourcePath("fhir-samples"))) {
    if (e.path().extension() != ".json") continue;
    ++samples;
    const std::string name = e.path().stem().string();
    const ProcessRun r = Exec("evaluate --format text " + e.path().string());
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out;
    const auto golden =
        ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/expected/" + name + ".cards.json")));
    if (golden["cards"].Empty()) {
      EXPECT_NE(r.out.find("No cards"), std::string::npos) << name << "\n" << r.out;
    }
    for (const auto& card : golden["cards"].GetArray()) {
      EXPECT_NE(r.out.find(std::string("code: ") + card["code"].GetString()), std::string::npos)
          << name << " lacks " << card["code"].GetString() << "\n"
          << r.out;
    }
  }
  EXPECT_GE(samples, 15);
}

TEST(Cli, RequestThenEvaluateIsTheSameAsEvaluatingTheBundle) {
  const std::string sample = SourcePath("fhir-samples/adult-unimmunised.json");
  const ProcessRun request = Exec("request " + sample);
  ASSERT_EQ(request.exit_code, 0);
  const std::string path = ::testing::TempDir() + "/request.json";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fwrite(request.out.data(), 1, request.out.size(), f);
  fclose(f);
  const ProcessRun direct = Exec("evaluate --format text " + sample);
  const ProcessRun via = Exec("evaluate --format text " + path);
  EXPECT_EQ(via.exit_code, 0);
  EXPECT_NE(via.out.find("code: immunisation-hib"), std::string::npos) << via.out;
  EXPECT_NE(direct.out.find("code: immunisation-pneumococcal"), std::string::npos) << direct.out;
}

TEST(Cli, ExitCodes) {
  EXPECT_EQ(Exec("--help").exit_code, 0);
  EXPECT_EQ(Exec("evaluate --help").exit_code, 0);
  EXPECT_EQ(Exec("no-such-command").exit_code, 2);
  EXPECT_EQ(Exec("evaluate --format yaml x.json").exit_code, 2);
  EXPECT_EQ(Exec("evaluate /nonexistent/file.json").exit_code, 1);
  const std::string bad = ::testing::TempDir() + "/bad.json";
  FILE* f = fopen(bad.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("{\"hook\":\"order-sign\"}", f);
  fclose(f);
  const ProcessRun refused = Exec("evaluate " + bad);
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.out.find("OperationOutcome"), std::string::npos);
  EXPECT_EQ(Exec("--hooks /nonexistent evaluate " + SourcePath("fhir-samples/adult-ra-clean.json"))
                .exit_code,
            1);
}

TEST(Cli, ServeRefusesBrokenKnowledgeWithAMessage) {
  const std::string dir = ::testing::TempDir() + "/broken-hooks";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(SourcePath("hooks"), dir, std::filesystem::copy_options::recursive);
  std::string dosing = ReadFile(dir + "/knowledge/dosing.json");
  const std::string from = "\"weightMaxAgeDays\": {\"value\": 90";
  const auto pos = dosing.find(from);
  ASSERT_NE(pos, std::string::npos);
  dosing.replace(pos, from.size(), "\"weightMaxAgeDays\": {\"value\": \"90\"");
  FILE* f = fopen((dir + "/knowledge/dosing.json").c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs(dosing.c_str(), f);
  fclose(f);
  const std::string cmd = std::string(ANAKINRA_BINARY) + " --hooks " + dir + " serve --port 0 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(out.find("weightMaxAgeDays"), std::string::npos) << out;
}

}  // namespace
