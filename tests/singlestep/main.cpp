// ghost86-singlestep: runs SingleStepTests files (.MOO.gz, .MOO, .json.gz, .json) from the given
// directories or files and prints "N passed, M failed" per file and in total.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>

#include "tests/singlestep/runner.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  CLI::App app{"Run SingleStepTests hardware-captured CPU tests on ghost86"};
  std::vector<std::string> inputs;
  double min_rate = 100.0;
  bool quiet = false;
  app.add_option("paths", inputs, "directories or test files")->required();
  app.add_option("--min-pass-rate", min_rate, "percentage of all tests that must pass (default 100)");
  app.add_flag("-q,--quiet", quiet, "print only files with failures and the total");
  CLI11_PARSE(app, argc, argv);

  unsigned passed = 0, failed = 0, skipped = 0;
  std::vector<std::string> excluded;
  try {
    for (const std::string& in : inputs) {
      std::vector<fs::path> files;
      fs::path dir = fs::is_directory(in) ? fs::path(in) : fs::path(in).parent_path();
      if (fs::is_directory(in)) {
        for (const auto& e : fs::directory_iterator(in))
          if (singlestep::parse_test_file_name(e.path().filename().string())) files.push_back(e.path());
      } else if (fs::exists(in)) {
        files.push_back(in);
      } else {
        fmt::print(stderr, "ghost86-singlestep: {}: no such file or directory\n", in);
        return 2;
      }
      std::sort(files.begin(), files.end());
      std::optional<singlestep::Metadata> meta;
      if (fs::exists(dir / "metadata.json")) meta = singlestep::load_metadata((dir / "metadata.json").string());
      std::set<std::string> revoked;
      for (const char* name : {"revocation_list.txt"})
        if (fs::exists(dir / name)) revoked = singlestep::load_revocations((dir / name).string());
      for (const fs::path& f : files) {
        const std::string name = f.filename().string();
        const bool json = name.find(".json") != std::string::npos;
        singlestep::TestFile tf = json ? singlestep::load_json(f.string()) : singlestep::load_moo(f.string());
        singlestep::FileStats st = singlestep::run_file(tf, meta ? &*meta : nullptr, revoked);
        passed += st.passed, failed += st.failed, skipped += st.skipped;
        if (!st.skip_reason.empty()) excluded.push_back(fmt::format("{}: {}", name, st.skip_reason));
        if (!quiet || st.failed)
          fmt::print("{}: {} passed, {} failed{}\n", name, st.passed, st.failed,
                     st.skipped ? fmt::format(", {} skipped", st.skipped) : "");
        for (const std::string& d : st.failures) fmt::print("  FAIL {}\n", d);
      }
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "ghost86-singlestep: {}\n", e.what());
    return 2;
  }
  for (const std::string& e : excluded) fmt::print("excluded {}\n", e);
  const unsigned total = passed + failed + skipped;
  const double rate = total ? 100.0 * passed / total : 0.0;
  fmt::print("total: {} passed, {} failed, {} skipped ({:.2f}% of {} passed)\n", passed, failed, skipped, rate, total);
  fmt::print("{} passed, {} failed\n", passed, failed);
  return total > 0 && rate >= min_rate ? 0 : 1;
}
