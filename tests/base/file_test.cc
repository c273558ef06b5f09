// base::ReadFile: whole files, a bound, and the errors it names (a real file in a temp folder).
#include "base/file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("anakinra-file-test-" + name)).string();
}

TEST(ReadFile, ReadsTheWholeFileByteForByte) {
  const std::string path = TempPath("whole");
  std::string content(200000, 'x');
  content[5] = '\0';  // binary-safe
  std::ofstream(path, std::ios::binary) << content;
  auto text = base::ReadFile(path);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, content);
  std::remove(path.c_str());
}

TEST(ReadFile, MissingFileIsNotFoundAndNamesThePath) {
  auto text = base::ReadFile(TempPath("absent"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), base::Status::Code::kNotFound);
  EXPECT_NE(text.status().message().find("anakinra-file-test-absent"), std::string::npos);
}

TEST(ReadFile, LargerThanTheBoundIsRefused) {
  const std::string path = TempPath("big");
  std::ofstream(path, std::ios::binary) << std::string(1001, 'y');
  EXPECT_TRUE(base::ReadFile(path, 1001).ok());
  auto text = base::ReadFile(path, 1000);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), base::Status::Code::kResourceExhausted);
  std::remove(path.c_str());
}

TEST(ReadFile, AFolderCannotBeRead) {
  auto text = base::ReadFile(std::filesystem::temp_directory_path().string());
  EXPECT_FALSE(text.ok());
}

}  // namespace
