// Where calls' time went, as text: the one wording of the on-CPU/runqueue/
// I/O/sleep split that the tables, sysslow and the dashboard share.
#pragma once

#include <cstdint>
#include <string>

#include "core/stats.h"

namespace syslat::exporter {

// Shares of total_ns: "on-CPU 12.1%, runqueue 0.5%, I/O 80.2%, sleep 7.2%".
std::string split_shares(const core::TimeSplit& split, uint64_t total_ns);

// One call's parts: "on-CPU 0.3ms, runqueue 0.2ms, I/O 44.7ms (switched out
// 3 times)"; parts it spent no time in are left out, on-CPU never.
std::string split_durations(const core::TimeSplit& split, uint64_t total_ns);

// Share of total_ns (or of any other total: calls), as a table cell: "12.1".
std::string percent_of(uint64_t part_ns, uint64_t total_ns);

}  // namespace syslat::exporter
