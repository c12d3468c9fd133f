// A source fills the stats model. Entry points own one and poll it; renderers
// never see where the data came from.
#pragma once

#include "core/stats.h"

namespace syslat::collect {

class Source {
 public:
  virtual ~Source() = default;
  // Everything recorded since the previous poll (or since attach).
  virtual core::Sample poll() = 0;
};

}  // namespace syslat::collect
