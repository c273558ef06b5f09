// Stub (facts helper): the rules helper owns this file.
#include "anakinra/rules.h"

namespace anakinra {

std::vector<Finding> RunRules(const RuleInput& input, std::vector<NotChecked>& not_checked) {
  (void)input;
  (void)not_checked;
  return {};
}

}  // namespace anakinra
