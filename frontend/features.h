// What this build of ghost86 supports on this host, for the command line (frontend/cli.h).
#pragma once

#include "frontend/cli.h"

namespace frontend {

Features host_features();

}  // namespace frontend
