// anakinra-bench-request: prints the CDS Hooks request body of a benchmark case, for wrk.
//   anakinra-bench-request --list        names and descriptions of the cases
//   anakinra-bench-request CASE          the request body (one line of JSON)
#include "bench_support.h"

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: anakinra-bench-request --list | CASE\n";
    return 2;
  }
  try {
    const std::string arg = argv[1];
    if (arg == "--list") {
      for (const auto& c : bench::Cases())
        std::cout << c.name << "\t" << c.hook << "\t" << c.what << "\n";
      return 0;
    }
    std::cout << bench::RequestBody(bench::FindCase(arg)) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "anakinra-bench-request: " << e.what() << "\n";
    return 1;
  }
}
