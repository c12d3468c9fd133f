#include "export/json_report.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "syslat.h"

namespace syslat::exporter {
namespace {

using Json = nlohmann::ordered_json;

Json row_json(const core::Row& r, const core::Report& rep, bool per_process) {
  const auto& s = r.stats;
  Json j;
  j["name"] = r.name;
  j["nr"] = r.id.nr == core::kUnknownOverflow ? Json(nullptr) : Json(r.id.nr);
  j["abi"] = core::abi_name(r.id.abi);
  j["count"] = s.calls;
  j["errors"] = s.errors;
  j["rate"] = r.rate;
  j["total_ns"] = s.total_ns;
  j["avg_ns"] = s.avg_ns();
  if (!per_process) {  // per-process counters keep no extremes
    j["min_ns"] = s.min_ns;
    j["max_ns"] = s.max_ns;
  }
  if (rep.timed) j["timed_count"] = s.timed;
  if (rep.states && !per_process) {  // of total_ns: they add up to it (per-process counters keep no split)
    j["oncpu_ns"] = s.oncpu_ns();
    j["runq_ns"] = s.split.runq_ns;
    j["iowait_ns"] = s.split.iowait_ns;
    j["sleep_ns"] = s.split.sleep_ns;
    j["switched_count"] = s.split.switched;
    j["switches"] = s.split.switches;
  }
  if (rep.kind == core::ReportKind::Lat && !per_process) {
    j["p50_ns"] = r.p50_ns;
    j["p90_ns"] = r.p90_ns;
    j["p99_ns"] = r.p99_ns;
    j["histogram"] = histogram_json(s.hist);
  }
  return j;
}

}  // namespace

nlohmann::ordered_json histogram_json(const core::Histogram& hist) {
  Json out = Json::array();
  for (const auto& b : core::log2_buckets(hist))
    out.push_back({{"lo_ns", b.lo_ns}, {"hi_ns", b.hi_ns == UINT64_MAX ? Json(nullptr) : Json(b.hi_ns)}, {"count", b.count}});
  return out;
}

std::string json_line(const nlohmann::ordered_json& j) {
  // JSON keeps the values themselves; escaped non-ASCII (\u009b) cannot act
  // on a terminal the output is shown on, and bytes that are not UTF-8
  // become U+FFFD instead of an exception.
  return j.dump(-1, ' ', /*ensure_ascii=*/true, Json::error_handler_t::replace);
}

std::string report_json(const core::Report& rep) {
  Json j;
  j["type"] = rep.kind == core::ReportKind::Lat ? "lat" : "count";
  j["time"] = rep.time;  // the span's end
  j["start"] = rep.start;
  j["interval_s"] = rep.interval_s;
  j["timed"] = rep.timed;
  Json rows = Json::array();
  for (const auto& r : rep.syscalls) rows.push_back(row_json(r, rep, false));
  j["syscalls"] = std::move(rows);
  if (!rep.processes.empty()) {
    Json procs = Json::array();
    for (const auto& p : rep.processes) {
      Json pj;
      pj["pid"] = p.pid;
      pj["comm"] = p.comm;
      Json prow = Json::array();
      for (const auto& r : p.rows) prow.push_back(row_json(r, rep, true));
      pj["syscalls"] = std::move(prow);
      procs.push_back(std::move(pj));
    }
    j["processes"] = std::move(procs);
  }
  j["total_count"] = rep.total.calls;
  j["entry_not_seen"] = rep.entry_not_seen;
  j["lost"] = rep.health.lost();
  j["lost_detail"] = {{"proc_map_full", rep.health.proc_map_full},
                      {"park_failed", rep.health.park_failed},
                      {"ring_buffer", rep.health.events_lost},
                      {"recursion_misses", rep.health.recursion_misses},
                      {"histogram_wrapped", rep.health.hist_lost},
                      {"histogram_full", rep.health.hist_full}};
  return json_line(j);
}

}  // namespace syslat::exporter
