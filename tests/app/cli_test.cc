// The real binary at a terminal: evaluate shows each sample's cards to a person, exit codes are
// the documented ones, and request/evaluate agree.
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <set>

namespace {

using namespace testing_support;

struct ProcessRun {
  int exit_code = -1;
  std::string out;
};

void WriteFile(const std::string& path, const std::string& text) {
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  fwrite(text.data(), 1, text.size(), f);
  fclose(f);
}

// Replaces every occurrence of `from` in `text`; returns how many were replaced.
int ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  int n = 0;
  for (auto p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size())) {
    text.replace(p, from.size(), to);
    ++n;
  }
  return n;
}

// A copy of hooks/ in the test's temporary folder, named `name`.
std::string CopyHooks(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::copy(SourcePath("hooks"), dir, std::filesystem::copy_options::recursive);
  return dir;
}

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
    const auto golden =
        ParseJsonOrDie(ReadFile(SourcePath("fhir-samples/expected/" + name + ".cards.json")));
    std::string options = "--format text";
    if (golden.HasMember("now")) options += std::string(" --now ") + golden["now"].GetString();
    if (golden.HasMember("hook")) options += std::string(" --hook ") + golden["hook"].GetString();
    if (golden.HasMember("pageSize"))
      options += " --page-size " + std::to_string(golden["pageSize"].GetUint());
    const ProcessRun r = Exec("evaluate " + options + " " + e.path().string());
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out;
    if (golden["cards"].Empty()) {
      EXPECT_NE(r.out.find("No cards"), std::string::npos) << name << "\n" << r.out;
    }
    for (const auto& card : golden["cards"].GetArray()) {
      EXPECT_NE(r.out.find(std::string("code: ") + card["code"].GetString()), std::string::npos)
          << name << " lacks " << card["code"].GetString() << "\n"
          << r.out;
    }
  }
  EXPECT_GE(samples, 45);
}

// Services are found by hook: renaming the service ids in hooks/services.json must not break
// (or crash) `request` and `evaluate`.
TEST(Cli, ServicesAreFoundByHookNotByABuiltId) {
  const std::string dir = CopyHooks("renamed-hooks");
  std::string services = ReadFile(dir + "/services.json");
  ASSERT_EQ(ReplaceAll(services, "\"anakinra-order-sign\"", "\"kineret-check-at-signing\""), 1);
  ASSERT_EQ(ReplaceAll(services, "\"anakinra-order-select\"", "\"kineret-check-on-select\""), 1);
  WriteFile(dir + "/services.json", services);
  const std::string sample = SourcePath("fhir-samples/adult-unimmunised.json");
  for (const std::string hook : {"order-sign", "order-select"}) {
    const ProcessRun request = Exec("--hooks " + dir + " request --hook " + hook + " " + sample);
    ASSERT_EQ(request.exit_code, 0) << hook;
    const auto doc = ParseJsonOrDie(request.out);
    EXPECT_EQ(std::string(doc["hook"].GetString()), hook);
    const ProcessRun evaluate =
        Exec("--hooks " + dir + " evaluate --hook " + hook + " --format json " + sample);
    EXPECT_EQ(evaluate.exit_code, 0) << hook << "\n" << evaluate.out;
    EXPECT_TRUE(ParseJsonOrDie(evaluate.out).HasMember("cards")) << evaluate.out;
  }
  // A CDS Hooks request (not a Bundle) is routed by its own hook.
  const ProcessRun request = Exec("--hooks " + dir + " request " + sample);
  ASSERT_EQ(request.exit_code, 0);
  const std::string path = ::testing::TempDir() + "/renamed-request.json";
  WriteFile(path, request.out);
  EXPECT_EQ(Exec("--hooks " + dir + " evaluate " + path).exit_code, 0);
}

// --page-size sends each searchset prefetch as one page with a next link that no server answers.
TEST(Cli, RequestPageSizePagesEverySearchset) {
  const std::string sample = SourcePath("fhir-samples/adult-paged-prefetch.json");
  const ProcessRun paged = Exec("request --page-size 1 " + sample);
  ASSERT_EQ(paged.exit_code, 0);
  const auto doc = ParseJsonOrDie(paged.out);
  const auto& medications = doc["prefetch"]["medications"];
  ASSERT_EQ(medications["entry"].Size(), 1u);
  EXPECT_EQ(medications["total"].GetUint(), 2u);
  ASSERT_TRUE(medications.HasMember("link"));
  const auto& link = medications["link"][0];
  EXPECT_STREQ(link["relation"].GetString(), "next");
  EXPECT_EQ(std::string(link["url"].GetString()).rfind("https://fhir.invalid/", 0), 0u);
  EXPECT_FALSE(doc.HasMember("fhirServer"));
  // A key that fits on one page has no next link; observations come newest first (_sort=-date).
  EXPECT_FALSE(doc["prefetch"]["conditions"].HasMember("link"));
  EXPECT_STREQ(doc["prefetch"]["observations"]["entry"][0]["resource"]["id"].GetString(),
               "ak-adult-paged-prefetch-anc");

  const auto whole = ParseJsonOrDie(Exec("request " + sample).out);
  EXPECT_EQ(whole["prefetch"]["medications"]["entry"].Size(), 2u);
  EXPECT_FALSE(whole["prefetch"]["medications"].HasMember("link"));
  EXPECT_EQ(Exec("request --page-size -1 " + sample).exit_code, 2);
}

// A template's status filter may list several statuses (status=active,on-hold).
TEST(Cli, RequestStatusFilterTakesACommaList) {
  std::string bundle = ReadFile(SourcePath("fhir-samples/adult-second-anakinra.json"));
  const auto at = bundle.find("\"id\": \"ak-adult-second-anakinra-anakinra-active\"");
  ASSERT_NE(at, std::string::npos);
  const std::string active = "\"status\": \"active\"";
  const auto status = bundle.find(active, at);
  ASSERT_NE(status, std::string::npos);
  bundle.replace(status, active.size(), "\"status\": \"on-hold\"");
  const std::string on_hold = ::testing::TempDir() + "/on-hold.json";
  WriteFile(on_hold, bundle);

  auto medication_ids = [&](const std::string& hooks) {
    const ProcessRun r = Exec("--hooks " + hooks + " request " + on_hold);
    std::set<std::string> ids;
    if (r.exit_code != 0) return ids;
    const auto doc = ParseJsonOrDie(r.out);
    for (const auto& e : doc["prefetch"]["medications"]["entry"].GetArray())
      ids.insert(e["resource"]["id"].GetString());
    return ids;
  };
  const std::string dir = CopyHooks("status-list-hooks");
  std::string services = ReadFile(dir + "/services.json");
  ReplaceAll(services, "&status=active,on-hold&", "&status=active&");  // whatever it is now
  const std::string only_active = services;
  WriteFile(dir + "/services.json", only_active);
  EXPECT_EQ(medication_ids(dir).count("ak-adult-second-anakinra-anakinra-active"), 0u);
  ASSERT_EQ(ReplaceAll(services, "&status=active&", "&status=active,on-hold&"), 3);
  WriteFile(dir + "/services.json", services);
  EXPECT_EQ(medication_ids(dir).count("ak-adult-second-anakinra-anakinra-active"), 1u);
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
