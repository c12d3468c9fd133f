// The one escaping of untrusted bytes (process names, paths, strings read
// from a traced process) for every text output: a name chosen by any user
// must never reach a terminal as control sequences.
#pragma once

#include <string>
#include <string_view>

namespace syslat::util {

// Printable characters to escape as well, for formats that give some a
// meaning (strace's quoting).
struct EscapeAlso {
  std::string_view backslashed;  // written as \c: " and \ in a quoted string
  std::string_view octal;        // written in octal: < and > in strace's -y "<path>"
};

// Appends `text` to `out` with every byte outside printable ASCII
// (0x20..0x7e) escaped as strace escapes it: \t \n \v \f \r by name, any
// other in octal, as short as it can be unless an octal digit follows
// (ESC "[" -> \33[, ESC "1" -> \0331, NUL -> \0, 0x9b -> \233). What comes
// out is printable ASCII: safe on a terminal, valid UTF-8, one line.
// Backslashes are left as they are unless `also` names them, so escaping
// text that is already escaped (a decoded call) changes nothing.
void append_escaped(std::string& out, std::string_view text, EscapeAlso also = {});

std::string escaped(std::string_view text, EscapeAlso also = {});

}  // namespace syslat::util
