// What a view produces: lines of styled text, at most the screen's width.
// The terminal paints it with ncurses; batch mode prints it as plain text.
// Only printable ASCII goes in (views escape every string that comes from
// a traced process or the user with util::escaped), so one byte is one
// column and nothing reaches the terminal as a control sequence.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace syslat::ui {

enum class Style : uint8_t {
  Normal,
  Title,     // the top line
  Heading,   // panel titles and column headers
  Selected,  // the selected syscall's row
  Bar,       // a bar: '#' characters, painted as solid cells on a terminal
  Dim,       // secondary text
  Alert,     // losses, errors, messages that need attention
};

struct Span {
  std::string text;
  Style style = Style::Normal;
};

struct Line {
  std::vector<Span> spans;
  // A line with one style, or an empty line.
  static Line of(std::string text, Style style = Style::Normal);
  Line& add(std::string text, Style style = Style::Normal);
  size_t width() const;
};

using Frame = std::vector<Line>;

// Cuts a line to `width` columns.
void clip(Line& line, size_t width);

// The frame as text: one line each, trailing blanks removed.
std::string plain_text(const Frame& frame);

}  // namespace syslat::ui
