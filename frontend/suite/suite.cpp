#include "frontend/suite/suite.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>

namespace frontend::suite {
namespace {

constexpr uint64_t kDefaultTimeoutNs = 600'000'000'000;  // a case with no timeout still ends

struct Reader {
  std::string path, dir;

  [[noreturn]] void fail(const toml::node* where, const std::string& what) const {
    if (where && where->source().begin)
      throw std::runtime_error(fmt::format("{}:{}: {}", path, where->source().begin.line, what));
    throw std::runtime_error(fmt::format("{}: {}", path, what));
  }

  // ${SUITE_DIR} and ${ENV_VAR}; an unset variable is an error, not an empty string.
  std::string expand(const toml::node& where, std::string text) const {
    for (size_t pos = 0; (pos = text.find("${", pos)) != std::string::npos;) {
      const size_t end = text.find('}', pos);
      if (end == std::string::npos) fail(&where, fmt::format("unterminated ${{ in '{}'", text));
      const std::string var = text.substr(pos + 2, end - pos - 2);
      std::string value;
      if (var == "SUITE_DIR") {
        value = dir;
      } else if (const char* env = std::getenv(var.c_str())) {
        value = env;
      } else {
        fail(&where, fmt::format("${{{}}} is not set", var));
      }
      text.replace(pos, end - pos + 1, value);
      pos += value.size();
    }
    return text;
  }

  std::string string(const toml::node& n, std::string_view what) const {
    if (!n.is_string()) fail(&n, fmt::format("{} must be a string", what));
    return expand(n, std::string(*n.value<std::string>()));
  }

  double seconds(const toml::node& n, std::string_view what) const {
    const std::optional<double> v = n.value<double>();  // integers too
    if (!v || !(*v >= 0) || *v > 1e7)
      fail(&n, fmt::format("{} must be seconds of virtual time (0 to 1e7)", what));
    return *v;
  }

  std::vector<std::string> strings(const toml::node& n, std::string_view what) const {
    const toml::array* a = n.as_array();
    if (!a) fail(&n, fmt::format("{} must be an array of strings", what));
    std::vector<std::string> out;
    for (const toml::node& e : *a) out.push_back(string(e, what));
    return out;
  }

  static void check_keys(const Reader& r, const toml::table& t,
                         std::initializer_list<std::string_view> known, std::string_view what) {
    for (const auto& [key, value] : t)
      if (std::find(known.begin(), known.end(), key.str()) == known.end())
        r.fail(&value, fmt::format("unknown key '{}' in {}", key.str(), what));
  }

  // A step, as the --step it becomes: { screen = "RE", within = S } / { serial = ... } /
  // { needle = "PATH", within = S } / { type = "TEXT" } / { key = "ctrl-alt-delete" } /
  // { send = "TEXT" } / { mouse = "DX,DY", click = "left" } / { click = "left" } /
  // { qmp = '{"execute": ...}' } / { savevm = "NAME" } / { sleep = S } / { stop = true } /
  // { cont = true }. `c` collects the needles and snapshots the case uses.
  std::string step(const toml::node& n, Case& c) const {
    static constexpr std::string_view kKinds =
        "screen, serial, needle, type, key, send, mouse, click, qmp, savevm, sleep, stop or cont";
    const toml::table* t = n.as_table();
    if (!t || t->empty())
      fail(&n, "a step must be a table such as { screen = \"A:.>\", within = 10 }");
    check_keys(*this, *t,
               {"screen", "serial", "needle", "type", "key", "send", "mouse", "click", "qmp", "savevm",
                "sleep", "stop", "cont", "within"},
               "a step");
    std::string kind;
    for (const auto& [key, value] : *t)
      if (key.str() != "within" && !(key.str() == "click" && t->contains("mouse"))) {
        if (!kind.empty()) fail(&n, fmt::format("a step has one of {}", kKinds));
        kind = key.str();
      }
    if (kind.empty()) fail(&n, fmt::format("a step has one of {}", kKinds));
    const toml::node& arg = *t->get(kind);
    std::string prefix = kind;
    if (const toml::node* within = t->get("within")) {
      if (kind != "screen" && kind != "serial" && kind != "needle")
        fail(within, "only screen, serial and needle steps take 'within'");
      prefix += fmt::format("@{}", seconds(*within, "within"));
    }
    if (kind == "sleep") return fmt::format("sleep:{}", seconds(arg, "sleep"));
    // QMP's stop and cont: the steps after a stop run with the machine paused (screendumps,
    // queries, savevm) at one instruction count, until a cont resumes it.
    if (kind == "stop" || kind == "cont") {
      if (arg.value<bool>() != true) fail(&arg, fmt::format("{} must be true", kind));
      return fmt::format("qmp:{{\"execute\": \"{}\"}}", kind);
    }
    std::string text = string(arg, kind);
    if (kind == "needle") {
      // Relative to the suite's folder, where its needles are kept.
      text = (std::filesystem::path(dir) / text).lexically_normal().string();
      c.needles.push_back(text);
    } else if (kind == "savevm") {
      c.saves.push_back(text);
    } else if (kind == "mouse") {
      if (const toml::node* click = t->get("click")) text += "," + string(*click, "click");
    }
    if (kind == "type" || kind == "send") {
      // TOML has already turned "\n" into a newline; a backslash is a character to type.
      std::string escaped;
      // Control characters become --step escapes, so that the command line stays one line.
      for (const char ch : text) {
        switch (ch) {
          case '\\': escaped += "\\\\"; break;
          case '\n': escaped += "\\n"; break;
          case '\r': escaped += "\\r"; break;
          case '\t': escaped += "\\t"; break;
          case '\b': escaped += "\\b"; break;
          case '\x1b': escaped += "\\e"; break;
          default: escaped += ch;
        }
      }
      text = escaped;
    }
    return prefix + ":" + text;
  }

  Expect expect(const toml::node& n) const {
    const toml::table* t = n.as_table();
    if (!t) fail(&n, "expect must be a table such as { status = 0, end = \"poweroff\" }");
    check_keys(*this, *t, {"status", "end"}, "expect");
    Expect e;
    if (const toml::node* s = t->get("status")) {
      const std::optional<int64_t> v = s->value<int64_t>();
      if (!s->is_integer() || !v || *v < 0 || *v > 255)
        fail(s, "status must be an exit status (0 to 255)");
      e.status = int(*v);
    }
    if (const toml::node* s = t->get("end")) {
      e.end = string(*s, "end");
      if (e.end != "poweroff" && e.end != "debug-exit" && e.end != "shutdown" && e.end != "halt")
        fail(s, "end must be poweroff, debug-exit, shutdown or halt");
    }
    return e;
  }
};

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (const char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return name != "." && name != "..";
}

}  // namespace

Suite load_suite(const std::string& path) {
  Reader r{path, std::filesystem::path(path).parent_path().string()};
  if (r.dir.empty()) r.dir = ".";
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!e.source().begin) throw std::runtime_error(fmt::format("{}: {}", path, e.description()));
    throw std::runtime_error(
        fmt::format("{}:{}: {}", path, e.source().begin.line, e.description()));
  }
  Reader::check_keys(r, doc, {"name", "defaults", "case"}, "the suite");
  Suite suite;
  suite.path = path;
  suite.name = std::filesystem::path(path).stem().string();
  if (const toml::node* n = doc.get("name")) suite.name = r.string(*n, "name");
  if (!valid_name(suite.name))
    r.fail(doc.get("name"),
           fmt::format("suite name '{}' must be letters, digits, '-', '_' or '.'", suite.name));

  std::vector<std::string> default_args;
  uint64_t default_timeout = kDefaultTimeoutNs;
  if (const toml::node* d = doc.get("defaults")) {
    const toml::table* t = d->as_table();
    if (!t) r.fail(d, "[defaults] must be a table");
    Reader::check_keys(r, *t, {"args", "timeout"}, "[defaults]");
    if (const toml::node* a = t->get("args")) default_args = r.strings(*a, "args");
    if (const toml::node* a = t->get("timeout"))
      default_timeout = uint64_t(r.seconds(*a, "timeout") * 1e9);
  }
  const toml::node* cases = doc.get("case");
  if (!cases || !cases->is_array_of_tables() || cases->as_array()->empty())
    r.fail(cases, "a suite needs at least one [[case]]");
  std::set<std::string> names;
  for (const toml::node& n : *cases->as_array()) {
    const toml::table& t = *n.as_table();
    Reader::check_keys(r, t,
                       {"name", "args", "steps", "requires", "timeout", "expect", "loadvm", "needs"},
                       "a [[case]]");
    Case c;
    const toml::node* name = t.get("name");
    if (!name) r.fail(&n, "a [[case]] needs a name");
    c.name = r.string(*name, "name");
    if (!valid_name(c.name))
      r.fail(name, fmt::format("case name '{}' must be letters, digits, '-', '_' or '.'", c.name));
    if (c.name == "snapshots")
      r.fail(name, "the case name 'snapshots' is taken (the artifacts folder keeps the run's snapshots there)");
    if (!names.insert(c.name).second)
      r.fail(name, fmt::format("case '{}' is defined twice", c.name));
    c.args = default_args;
    if (const toml::node* a = t.get("args")) {
      const std::vector<std::string> own = r.strings(*a, "args");
      c.args.insert(c.args.end(), own.begin(), own.end());
    }
    if (const toml::node* s = t.get("steps")) {
      const toml::array* steps = s->as_array();
      if (!steps) r.fail(s, "steps must be an array of tables");
      for (const toml::node& step : *steps) c.steps.push_back(r.step(step, c));
    }
    if (const toml::node* l = t.get("loadvm")) {
      c.loadvm = r.string(*l, "loadvm");
      if (c.loadvm.empty()) r.fail(l, "loadvm must name a snapshot");
      // The case that saves it runs first.
      for (const Case& before : suite.cases)
        if (std::find(before.saves.begin(), before.saves.end(), c.loadvm) != before.saves.end())
          c.needs.push_back(before.name);
    }
    if (const toml::node* q = t.get("needs")) {
      for (const std::string& need : q->is_string() ? std::vector{r.string(*q, "needs")} : r.strings(*q, "needs")) {
        if (!names.count(need) || need == c.name)
          r.fail(q, fmt::format("needs '{}': no case of that name is listed before '{}'", need, c.name));
        if (std::find(c.needs.begin(), c.needs.end(), need) == c.needs.end()) c.needs.push_back(need);
      }
    }
    if (const toml::node* q = t.get("requires")) c.requires_ = r.strings(*q, "requires");
    c.timeout_ns = default_timeout;
    if (const toml::node* a = t.get("timeout"))
      c.timeout_ns = uint64_t(r.seconds(*a, "timeout") * 1e9);
    if (const toml::node* e = t.get("expect")) c.expect = r.expect(*e);
    if (c.steps.empty() && !c.expect)
      r.fail(&n, fmt::format("case '{}' has neither steps nor expect", c.name));
    suite.cases.push_back(std::move(c));
  }
  return suite;
}

}  // namespace frontend::suite
