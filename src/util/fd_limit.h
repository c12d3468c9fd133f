// The process's limit on open files.
#pragma once

namespace syslat::util {

// Raises the soft limit to the hard one (the soft default, 1024, is a
// compatibility value for select(); a server that faces the network wants
// all it may have). Best effort: the limits stay as they were on failure.
void raise_open_files_limit();

}  // namespace syslat::util
