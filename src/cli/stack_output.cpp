#include "cli/stack_output.h"

#include <iostream>

#include "export/pprof_writer.h"
#include "export/stack_writer.h"

namespace syslat::cli {

util::Expected<ProfileOutput> profile_output(const CommonOptions& o) {
  ProfileOutput p;
  const std::string_view path = o.output_path;
  if (o.profile_format)
    p.form = *o.profile_format == "pprof" ? ProfileOutput::Form::Pprof : ProfileOutput::Form::Folded;
  else if (path.ends_with(".folded"))
    p.form = ProfileOutput::Form::Folded;
  else if (path.ends_with(".pb.gz") || path.ends_with(".pprof"))
    p.form = ProfileOutput::Form::Pprof;
  if (o.format != exporter::Format::Text && p.form == ProfileOutput::Form::Text)
    return util::make_error("--stacks: -j/--csv report per syscall; the stacks go to -o FILE.folded or "
                            "FILE.pb.gz (expected --stacks -o FILE.folded)");
  if (p.form == ProfileOutput::Form::Pprof && path.empty())
    return util::make_error("--format pprof: a binary file, not for stdout (expected -o FILE.pb.gz)");
  p.to_file = p.form != ProfileOutput::Form::Text && !path.empty();
  p.replaces_report = p.form == ProfileOutput::Form::Folded && path.empty();
  if (p.replaces_report && o.by_function)
    return util::make_error("--by-function: its table would land among the folded stacks on stdout "
                            "(expected --by-function -o FILE.folded)");
  return p;
}

bool profile_by_calls(const CommonOptions& o, bool timed) { return !timed || (o.weight && *o.weight == "calls"); }

util::Expected<void> write_profile(std::ostream& reports, std::ostream& profile_out,
                                   const core::StackProfile& profile, const ProfileOutput& where,
                                   const CommonOptions& o, bool timed) {
  const bool by_calls = profile_by_calls(o, timed);
  const auto& skipped = o.skip_modules ? *o.skip_modules : core::kDefaultSkippedModules;
  if (where.form == ProfileOutput::Form::Text) {
    exporter::write_stacks_text(reports, profile, o.top.value_or(10), by_calls);
    if (o.by_function) exporter::write_by_function_text(reports, profile, o.top.value_or(0), by_calls, skipped);
    exporter::write_stack_notes(reports, profile);
    return {};
  }
  util::Expected<void> written;
  if (where.form == ProfileOutput::Form::Folded)
    exporter::write_folded(profile_out, profile, by_calls ? exporter::StackWeight::Calls : exporter::StackWeight::Time);
  else
    written = exporter::write_pprof(profile, profile_out);
  if (o.by_function) exporter::write_by_function_text(reports, profile, o.top.value_or(0), by_calls, skipped);
  exporter::write_stack_notes(std::cerr, profile);
  return written;
}

}  // namespace syslat::cli
