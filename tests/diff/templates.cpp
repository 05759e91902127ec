#include "tests/diff/templates.h"

#include <vector>

namespace diff {

std::span<const Template> templates() {
  static const std::vector<Template> all = [] {
    std::vector<Template> v;
    for (auto part : {alu_templates(), shift_mul_templates(), bits_templates(), data_templates(),
                      segment_templates(), stack_templates(), control_templates()})
      v.insert(v.end(), part.begin(), part.end());
    return v;
  }();
  return all;
}

int cls_by_name(std::string_view name) {
  for (unsigned c = 0; c <= kMixCls; c++)
    if (name == cls_name(c)) return int(c);
  return -1;
}

}  // namespace diff
