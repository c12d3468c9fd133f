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

// The profile at the end of the run, with its losses on stderr unless they
// are in the output itself (text).
void write_profile(std::ostream& out, const core::StackProfile& profile, const ProfileOutput& where,
                   const CommonOptions& o, bool timed);

}  // namespace syslat::cli
