#include "frontend/suite/junit.h"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace frontend::suite {
namespace {

constexpr const char* kOrderProperty = "ghost86.cases";

// Virtual time in whole milliseconds, summed as such, so totals survive a write and a read.
uint64_t millis(uint64_t ns) { return (ns + 500'000) / 1'000'000; }
std::string seconds(uint64_t ms) { return fmt::format("{}.{:03}", ms / 1000, ms % 1000); }

struct Writer {
  xmlTextWriterPtr w;
  void start(const char* name) { xmlTextWriterStartElement(w, BAD_CAST name); }
  void end() { xmlTextWriterEndElement(w); }
  void attr(const char* name, const std::string& value) {
    xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value.c_str());
  }
  void text(const std::string& value) { xmlTextWriterWriteString(w, BAD_CAST value.c_str()); }
};

std::string attr(xmlNodePtr n, const char* name) {
  xmlChar* v = xmlGetProp(n, BAD_CAST name);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

std::string content(xmlNodePtr n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string out = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return out;
}

bool named(xmlNodePtr n, const char* name) {
  return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, BAD_CAST name) == 0;
}

// XML 1.0 allows no control characters but tab, newline and carriage return: a guest's screen
// or a regular expression could carry some.
std::string xml_safe(const std::string& s) {
  std::string out;
  for (const char c : s)
    out += (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') ? '?' : c;
  return out;
}

}  // namespace

void write_junit(const std::string& path, const JunitSuite& suite) {
  xmlTextWriterPtr w = xmlNewTextWriterFilename(path.c_str(), 0);
  if (!w) throw std::runtime_error(fmt::format("--junit: cannot write '{}'", path));
  Writer x{w};
  xmlTextWriterSetIndent(w, 1);
  xmlTextWriterSetIndentString(w, BAD_CAST "  ");
  xmlTextWriterStartDocument(w, nullptr, "UTF-8", nullptr);
  size_t failures = 0, skipped = 0;
  uint64_t total_ms = 0;
  for (const CaseResult& r : suite.results) {
    failures += r.outcome == CaseResult::Outcome::Fail;
    skipped += r.outcome == CaseResult::Outcome::Skip;
    total_ms += millis(r.virtual_ns);
  }
  const auto counts = [&] {
    x.attr("tests", std::to_string(suite.results.size()));
    x.attr("failures", std::to_string(failures));
    x.attr("errors", "0");
    x.attr("skipped", std::to_string(skipped));
    x.attr("time", seconds(total_ms));
  };
  x.start("testsuites");
  x.attr("name", suite.name);
  counts();
  x.start("testsuite");
  x.attr("name", suite.name);
  counts();
  x.start("properties");
  x.start("property");
  x.attr("name", kOrderProperty);
  std::string order;
  for (const std::string& n : suite.order) {
    if (!order.empty()) order += ' ';
    order += n;
  }
  x.attr("value", order);
  x.end();
  x.end();
  for (const CaseResult& r : suite.results) {
    x.start("testcase");
    x.attr("name", r.name);
    x.attr("classname", suite.name);
    x.attr("time", seconds(millis(r.virtual_ns)));
    if (r.outcome == CaseResult::Outcome::Fail) {
      x.start("failure");
      x.attr("message", xml_safe(r.message));
      x.attr("type", "failure");
      x.text(xml_safe(r.message));
      x.end();
    } else if (r.outcome == CaseResult::Outcome::Skip) {
      x.start("skipped");
      x.attr("message", xml_safe(r.message));
      x.end();
    }
    if (!r.report.empty()) {
      x.start("system-out");
      x.text(r.report);
      x.end();
    }
    x.end();
  }
  xmlTextWriterEndDocument(w);
  const int rc = xmlTextWriterFlush(w);
  xmlFreeTextWriter(w);
  if (rc < 0) throw std::runtime_error(fmt::format("--junit: error writing '{}'", path));
}

JunitSuite read_junit(const std::string& path) {
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
      xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
      xmlFreeDoc);
  if (!doc) throw std::runtime_error(fmt::format("--merge: '{}' is not readable XML", path));
  xmlNodePtr root = xmlDocGetRootElement(doc.get());
  xmlNodePtr ts = nullptr;
  if (root && named(root, "testsuites"))
    for (xmlNodePtr n = root->children; n && !ts; n = n->next)
      if (named(n, "testsuite")) ts = n;
  if (!ts)
    throw std::runtime_error(fmt::format("--merge: '{}' has no <testsuites><testsuite>", path));
  JunitSuite s;
  s.name = attr(ts, "name");
  bool has_order = false;
  for (xmlNodePtr n = ts->children; n; n = n->next) {
    if (named(n, "properties")) {
      for (xmlNodePtr p = n->children; p; p = p->next) {
        if (!named(p, "property") || attr(p, "name") != kOrderProperty) continue;
        has_order = true;
        std::istringstream words(attr(p, "value"));
        for (std::string w; words >> w;) s.order.push_back(w);
      }
    } else if (named(n, "testcase")) {
      CaseResult r;
      r.name = attr(n, "name");
      r.outcome = CaseResult::Outcome::Pass;
      unsigned long long sec = 0, ms = 0;
      if (std::sscanf(attr(n, "time").c_str(), "%llu.%3llu", &sec, &ms) != 2)
        throw std::runtime_error(
            fmt::format("--merge: '{}': testcase '{}' has no time in seconds", path, r.name));
      r.virtual_ns = (sec * 1000 + ms) * 1'000'000;
      for (xmlNodePtr c = n->children; c; c = c->next) {
        if (named(c, "failure"))
          r.outcome = CaseResult::Outcome::Fail, r.message = attr(c, "message");
        if (named(c, "skipped"))
          r.outcome = CaseResult::Outcome::Skip, r.message = attr(c, "message");
        if (named(c, "system-out")) r.report = content(c);
      }
      s.results.push_back(std::move(r));
    }
  }
  if (!has_order)
    throw std::runtime_error(fmt::format(
        "--merge: '{}' was not written by ghost86 test (no {} property)", path, kOrderProperty));
  return s;
}

JunitSuite merge_junit(const std::vector<JunitSuite>& shards) {
  if (shards.empty()) throw std::runtime_error("--merge: no shard results given");
  JunitSuite out;
  out.name = shards[0].name;
  out.order = shards[0].order;
  std::map<std::string, const CaseResult*> found;
  for (const JunitSuite& s : shards) {
    if (s.name != out.name || s.order != out.order)
      throw std::runtime_error(
          fmt::format("--merge: suite '{}' and '{}' are not shards of one run", out.name, s.name));
    for (const CaseResult& r : s.results)
      if (!found.emplace(r.name, &r).second)
        throw std::runtime_error(fmt::format("--merge: case '{}' is in two shards", r.name));
  }
  for (const std::string& name : out.order) {
    const auto it = found.find(name);
    if (it == found.end())
      throw std::runtime_error(
          fmt::format("--merge: case '{}' is in no shard (a shard missing?)", name));
    out.results.push_back(*it->second);
  }
  if (found.size() != out.order.size())
    throw std::runtime_error("--merge: a shard has cases the suite does not");
  return out;
}

}  // namespace frontend::suite
