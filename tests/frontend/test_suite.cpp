// ghost86 test's parts: suites read from TOML (steps become --step values, errors name the file
// and line), and JUnit written, read back and merged from shards.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "frontend/cli.h"
#include "frontend/features.h"
#include "frontend/suite/junit.h"
#include "frontend/suite/runner.h"
#include "frontend/suite/suite.h"

namespace {

namespace fs = std::filesystem;
using namespace frontend::suite;

struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& name, const std::string& text = "")
      : path(fs::temp_directory_path() /
             ("ghost86-suite-" + std::to_string(::getpid()) + "-" + name)) {
    if (!text.empty()) std::ofstream(path) << text;
  }
  ~TempFile() { fs::remove(path); }
};

std::string load_error(const std::string& text) {
  TempFile f("bad.toml");
  std::ofstream(f.path) << text;
  try {
    load_suite(f.path.string());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("suite: cases, defaults and steps as --step values", "[frontend][suite]") {
  TempFile f("ok.toml", R"(
name = "s1"
[defaults]
args = ["-m", "64"]
timeout = 30
[[case]]
name = "a"
args = ["-fda", "${SUITE_DIR}/x.img"]
steps = [
  { screen = "A:\\\\>", within = 10 },
  { type = "dir\\c\n" },
  { serial = "login:" },
  { send = "root\n" },
  { sleep = 0.5 },
]
[[case]]
name = "b"
timeout = 5
expect = { status = 0, end = "poweroff" }
)");
  const Suite s = load_suite(f.path.string());
  CHECK(s.name == "s1");
  REQUIRE(s.cases.size() == 2);
  const Case& a = s.cases[0];
  CHECK(a.args ==
        std::vector<std::string>{"-m", "64", "-fda", (f.path.parent_path() / "x.img").string()});
  CHECK(a.steps == std::vector<std::string>{"screen@10:A:\\\\>", "type:dir\\\\c\\n",
                                            "serial:login:", "send:root\\n", "sleep:0.5"});
  CHECK(a.timeout_ns == 30'000'000'000);
  CHECK_FALSE(a.expect);
  const Case& b = s.cases[1];
  CHECK(b.timeout_ns == 5'000'000'000);
  REQUIRE(b.expect);
  CHECK(b.expect->status == 0);
  CHECK(b.expect->end == "poweroff");
}

TEST_CASE("suite: mistakes are one line naming the file and line", "[frontend][suite]") {
  CHECK_THAT(load_error("name = [\n"), Catch::Contains("bad.toml:"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nsteps = [{ screen = \"x\", type = \"y\" }]\n"),
             Catch::Contains("bad.toml:3: a step has one of"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nsteps = [{ type = \"y\", within = 1 }]\n"),
             Catch::Contains("only screen, serial and needle steps take 'within'"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nsteps = [{ sleep = 1 }]\n[[case]]\nname = "
                        "\"a\"\nsteps = [{ sleep = 1 }]\n"),
             Catch::Contains("bad.toml:5: case 'a' is defined twice"));
  CHECK_THAT(load_error("[[case]]\nname = \"a b\"\nsteps = [{ sleep = 1 }]\n"),
             Catch::Contains("case name 'a b'"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\n"), Catch::Contains("neither steps nor expect"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\ncolour = 1\nsteps = [{ sleep = 1 }]\n"),
             Catch::Contains("unknown key 'colour'"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nargs = [\"${GHOST86_NO_SUCH_VARIABLE}\"]\nsteps = "
                        "[{ sleep = 1 }]\n"),
             Catch::Contains("${GHOST86_NO_SUCH_VARIABLE} is not set"));
  CHECK_THAT(load_error("name = \"x\"\n"), Catch::Contains("at least one [[case]]"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nexpect = { end = \"sideways\" }\n"),
             Catch::Contains("end must be"));
  CHECK_THAT(load_error(""), Catch::Contains("at least one [[case]]"));
  CHECK_THROWS_WITH(load_suite("/nonexistent/s.toml"), Catch::StartsWith("/nonexistent/s.toml: "));
}

TEST_CASE("junit: written, read back and merged from shards in suite order", "[frontend][suite]") {
  JunitSuite whole;
  whole.name = "s";
  whole.order = {"a", "b", "c"};
  CaseResult a, b, c;
  a.name = "a", a.outcome = CaseResult::Outcome::Pass, a.virtual_ns = 1'234'567'890,
  a.report = "icount=1 hash=00";
  b.name = "b", b.outcome = CaseResult::Outcome::Fail, b.virtual_ns = 5'000'000,
  b.message = "step 2 (screen:<x> & \"y\") not done";
  c.name = "c", c.outcome = CaseResult::Outcome::Skip, c.message = "'/x' is missing";
  whole.results = {a, b, c};
  TempFile full("full.xml"), s1("s1.xml"), s2("s2.xml"), merged("merged.xml");
  write_junit(full.path.string(), whole);
  JunitSuite shard1 = whole, shard2 = whole;
  shard1.results = {a, c};  // shard 1/2: cases 1 and 3
  shard2.results = {b};
  write_junit(s1.path.string(), shard1);
  write_junit(s2.path.string(), shard2);
  const JunitSuite back = read_junit(full.path.string());
  REQUIRE(back.results.size() == 3);
  CHECK(back.results[1].message == b.message);
  CHECK(back.results[1].outcome == CaseResult::Outcome::Fail);
  CHECK(back.results[2].outcome == CaseResult::Outcome::Skip);
  CHECK(back.results[0].report == a.report);
  CHECK(back.results[0].virtual_ns == 1'235'000'000);  // kept in whole milliseconds
  write_junit(merged.path.string(),
              merge_junit({read_junit(s2.path.string()), read_junit(s1.path.string())}));
  std::ifstream f1(full.path), f2(merged.path);
  const std::string t1((std::istreambuf_iterator<char>(f1)), {}),
      t2((std::istreambuf_iterator<char>(f2)), {});
  CHECK(t1 == t2);
  CHECK(t1.find("<testsuite name=\"s\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\" "
                "time=\"1.240\">") != std::string::npos);
  CHECK_THROWS_WITH(merge_junit({read_junit(s1.path.string())}),
                    Catch::Contains("case 'b' is in no shard"));
  CHECK_THROWS_WITH(merge_junit({read_junit(s1.path.string()), read_junit(s1.path.string())}),
                    Catch::Contains("in two shards"));
}

TEST_CASE("suite: needle, key, mouse, qmp and savevm steps, loadvm and needs", "[frontend][suite]") {
  TempFile f("steps.toml", R"(
[[case]]
name = "save"
steps = [
  { needle = "needles/prompt", within = 10 },
  { key = "ctrl-alt-delete" },
  { mouse = "10,-5", click = "left" },
  { click = "right" },
  { qmp = '{"execute": "system_reset"}' },
  { savevm = "booted.snap" },
]
[[case]]
name = "load"
loadvm = "booted.snap"
steps = [{ type = "ver\n" }]
[[case]]
name = "after"
needs = ["save", "load"]
expect = { status = 0 }
)");
  const Suite s = load_suite(f.path.string());
  REQUIRE(s.cases.size() == 3);
  const std::string needle = (f.path.parent_path() / "needles" / "prompt").string();
  CHECK(s.cases[0].steps ==
        std::vector<std::string>{"needle@10:" + needle, "key:ctrl-alt-delete", "mouse:10,-5,left",
                                 "click:right", "qmp:{\"execute\": \"system_reset\"}", "savevm:booted.snap"});
  CHECK(s.cases[0].needles == std::vector<std::string>{needle});
  CHECK(s.cases[0].saves == std::vector<std::string>{"booted.snap"});
  // Loading a snapshot another case saves needs that case.
  CHECK(s.cases[1].loadvm == "booted.snap");
  CHECK(s.cases[1].needs == std::vector<std::string>{"save"});
  CHECK(s.cases[2].needs == std::vector<std::string>{"save", "load"});
  // The command line: the snapshots live in the run's artifacts folder.
  RunOptions options;
  options.self = "ghost86";
  options.artifacts = "/out";
  const std::vector<std::string> load = case_command_line(s.cases[1], options);
  CHECK(std::find(load.begin(), load.end(), "/out/snapshots/booted.snap") - load.begin() ==
        std::find(load.begin(), load.end(), "-loadvm") - load.begin() + 1);
  const std::vector<std::string> save = case_command_line(s.cases[0], options);
  CHECK(save.back() == "savevm:/out/snapshots/booted.snap");
  // Every step kind is one the command line takes.
  std::vector<std::string> args;
  for (const std::string& step : s.cases[0].steps) args.insert(args.end(), {"--step", step});
  const frontend::CliResult cli = frontend::parse_command_line(args, frontend::host_features());
  REQUIRE(cli.action == frontend::CliResult::Action::Run);
  REQUIRE(cli.config.steps.size() == 6);
  using Kind = machine::AutomationStep::Kind;
  CHECK(cli.config.steps[0].kind == Kind::Needle);
  CHECK(cli.config.steps[0].limit_ns == 10'000'000'000);
  CHECK(cli.config.steps[1].keys == std::vector<uint16_t>{0x14, 0x11, 0xe071});  // set-2 codes
  CHECK((cli.config.steps[2].dx == 10 && cli.config.steps[2].dy == -5 && cli.config.steps[2].buttons == 1));
  CHECK((cli.config.steps[3].kind == Kind::Mouse && cli.config.steps[3].dx == 0 && cli.config.steps[3].buttons == 2));
  CHECK(cli.config.steps[4].kind == Kind::Command);
  CHECK(cli.config.steps[5].kind == Kind::Savevm);
}

TEST_CASE("suite: new step mistakes are one line", "[frontend][suite]") {
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nsteps = [{ key = \"f2\", within = 1 }]\n"),
             Catch::Contains("only screen, serial and needle steps take 'within'"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nsteps = [{ key = \"f2\", qmp = \"{}\" }]\n"),
             Catch::Contains("a step has one of"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nneeds = \"b\"\nsteps = [{ sleep = 1 }]\n[[case]]\nname = "
                        "\"b\"\nsteps = [{ sleep = 1 }]\n"),
             Catch::Contains("bad.toml:3: needs 'b': no case of that name is listed before 'a'"));
  CHECK_THAT(load_error("[[case]]\nname = \"snapshots\"\nsteps = [{ sleep = 1 }]\n"),
             Catch::Contains("'snapshots' is taken"));
  for (const std::string bad : {"key:ctrl-nokey", "key:", "mouse:1", "mouse:1,x", "mouse:1,2,top", "click:up",
                                "qmp:", "savevm:", "needle:", "key@1:f2"}) {
    INFO(bad);
    const frontend::CliResult r = frontend::parse_command_line({"--step", bad}, frontend::host_features());
    CHECK(r.action == frontend::CliResult::Action::Exit);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.message, Catch::Contains("--step"));
    std::string line = r.message;
    while (!line.empty() && line.back() == '\n') line.pop_back();
    CHECK(line.find('\n') == std::string::npos);
  }
}

// Stop and cont steps, run by the runner on the built-in demo machine (which halts at once;
// virtual time runs on to the steps' timers).
TEST_CASE("suite: a stop step pauses the machine until a cont step", "[frontend][suite]") {
  TempFile dump("paused.txt");
  TempFile f("stop.toml", R"(
[defaults]
args = ["-bios", "demo"]
[[case]]
name = "straight"
steps = [{ sleep = 0.01 }, { sleep = 0.01 }]
[[case]]
name = "paused-between"
steps = [
  { sleep = 0.01 },
  { stop = true },
  { qmp = '{"execute": "query-icount"}' },
  { qmp = '{"execute": "screendump", "arguments": {"filename": ")" + dump.path.string() + R"("}}' },
  { cont = true },
  { sleep = 0.01 },
]
[[case]]
name = "waits-while-stopped"
steps = [{ sleep = 0.01 }, { stop = true }, { sleep = 0.01 }]
[[case]]
name = "ends-stopped"
steps = [{ sleep = 0.01 }, { stop = true }]
[[case]]
name = "ends-stopped-expecting-an-exit"
steps = [{ sleep = 0.01 }, { stop = true }]
expect = { end = "poweroff" }
)");
  const Suite s = load_suite(f.path.string());
  REQUIRE(s.cases.size() == 5);
  CHECK(s.cases[1].steps[1] == "qmp:{\"execute\": \"stop\"}");
  CHECK(s.cases[1].steps[4] == "qmp:{\"execute\": \"cont\"}");
  const fs::path artifacts = fs::temp_directory_path() / ("ghost86-suite-" + std::to_string(::getpid()) + "-stop");
  RunOptions options;
  options.self = "ghost86";
  options.artifacts = artifacts.string();
  const std::vector<CaseResult> r = run_cases(s.cases, options);
  fs::remove_all(artifacts);
  REQUIRE(r.size() == 5);
  // The commands while paused took no virtual time and changed nothing: the run ends at the
  // same instruction count in the same state as without them.
  CHECK(r[0].outcome == CaseResult::Outcome::Pass);
  CHECK(r[1].outcome == CaseResult::Outcome::Pass);
  CHECK(!r[0].report.empty());
  CHECK(r[1].report == r[0].report);
  CHECK(r[1].virtual_ns == r[0].virtual_ns);
  CHECK(fs::exists(dump.path));
  // A step that needs virtual time cannot be done while stopped: the case fails, naming it.
  CHECK(r[2].outcome == CaseResult::Outcome::Fail);
  CHECK_THAT(r[2].message, Catch::Contains("step 3 (sleep:0.01) cannot be done while the machine is stopped"));
  // Ending stopped: done, unless the case expects the run to end by itself.
  CHECK(r[3].outcome == CaseResult::Outcome::Pass);
  CHECK(r[4].outcome == CaseResult::Outcome::Fail);
  CHECK_THAT(r[4].message, Catch::Contains("no step resumes it"));
  CHECK_THAT(load_error("[[case]]\nname = \"a\"\nsteps = [{ stop = false }]\n"), Catch::Contains("stop must be true"));
}
