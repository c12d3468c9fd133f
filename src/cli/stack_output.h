// --stacks: which form the profile takes and where it goes, decided once
// from the options; and writing it at the end of the run.
#pragma once

#include <ostream>

#include "cli/options.h"
#include "core/stack_profile.h"
#include "util/expected.h"

namespace syslat::cli {

struct ProfileOutput {
  enum class Form { Text, Folded, Pprof };
  Form form = Form::Text;  // Text: the top stacks (and --by-function) after the report
  bool to_file = false;    // -o FILE holds the profile; the reports go to stdout
  bool replaces_report = false;  // --format folded without -o: stdout holds only the profile
};

// From --format, else -o's extension (.folded, .pb.gz/.pprof); an error
// for what cannot work (pprof, a binary, on stdout).
util::Expected<ProfileOutput> profile_output(const CommonOptions& o);

// Whether a profile weighs calls, not syscall time: --weight calls, or a
// run that did not time its calls (syscount).
bool profile_by_calls(const CommonOptions& o, bool timed);

// The profile at the end of the run: in text after the reports, on
// `reports`; else the folded or pprof profile on `profile_out` (-o FILE,
// or stdout), --by-function's table on `reports` and the losses on stderr.
// An error when the profile could not be written.
util::Expected<void> write_profile(std::ostream& reports, std::ostream& profile_out,
                                   const core::StackProfile& profile, const ProfileOutput& where,
                                   const CommonOptions& o, bool timed);

}  // namespace syslat::cli
