#include "ui/terminal.h"

#include <curses.h>
#include <unistd.h>

#include "ui/keys.h"

namespace syslat::ui {
namespace {

enum Pair : short { kTitlePair = 1, kBarPair, kAlertPair, kSelectedPair };

attr_t attributes(Style style, bool colors) {
  switch (style) {
    case Style::Title: return colors ? COLOR_PAIR(kTitlePair) | A_BOLD : A_REVERSE | A_BOLD;
    case Style::Heading: return A_BOLD;
    case Style::Selected: return colors ? COLOR_PAIR(kSelectedPair) | A_BOLD : A_REVERSE;
    case Style::Bar: return colors ? COLOR_PAIR(kBarPair) | A_REVERSE : A_REVERSE;
    case Style::Dim: return A_DIM;
    case Style::Alert: return colors ? COLOR_PAIR(kAlertPair) | A_BOLD : A_BOLD;
    case Style::Normal: break;
  }
  return A_NORMAL;
}

}  // namespace

util::Expected<std::unique_ptr<Terminal>> Terminal::open() {
  SCREEN* screen = newterm(nullptr, stdout, stdin);
  if (!screen) return util::make_error("cannot set up the terminal (is TERM right?)");
  std::unique_ptr<Terminal> t(new Terminal());
  t->screen_ = screen;
  cbreak();  // keys at once; Ctrl-C still sends SIGINT, which ends the run cleanly
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  set_escdelay(25);
  curs_set(0);
  if (has_colors()) {
    start_color();
    use_default_colors();
    init_pair(kTitlePair, COLOR_BLACK, COLOR_CYAN);
    init_pair(kBarPair, COLOR_GREEN, -1);
    init_pair(kAlertPair, COLOR_RED, -1);
    init_pair(kSelectedPair, COLOR_BLACK, COLOR_YELLOW);
    t->colors_ = true;
  }
  return t;
}

Terminal::~Terminal() {
  curs_set(1);
  endwin();
  delscreen(static_cast<SCREEN*>(screen_));
}

void Terminal::paint(const Frame& frame) {
  erase();  // the back buffer only: refresh() sends just what changed
  const int rows = std::min<int>(LINES, static_cast<int>(frame.size()));
  for (int y = 0; y < rows; ++y) {
    move(y, 0);
    int x = 0;
    for (const Span& span : frame[static_cast<size_t>(y)].spans) {
      if (x >= COLS) break;
      const int n = std::min<int>(COLS - x, static_cast<int>(span.text.size()));
      if (span.style == Style::Bar) {
        // '#' cells become solid; the rest of the bar stays blank.
        for (int i = 0; i < n; ++i) {
          const bool on = span.text[static_cast<size_t>(i)] == '#';
          attrset(on ? attributes(Style::Bar, colors_) : A_NORMAL);
          addch(' ');
        }
      } else {
        attrset(attributes(span.style, colors_));
        addnstr(span.text.data(), n);
      }
      x += n;
    }
    // The title bar runs to the edge.
    const auto& spans = frame[static_cast<size_t>(y)].spans;
    if (!spans.empty() && spans.front().style == Style::Title && x < COLS) {
      attrset(attributes(Style::Title, colors_));
      hline(' ', COLS - x);
    }
  }
  attrset(A_NORMAL);
  refresh();
}

int Terminal::read_key() {
  const int c = getch();
  switch (c) {
    case ERR: return -1;
    case KEY_UP: return kKeyUp;
    case KEY_DOWN: return kKeyDown;
    case KEY_PPAGE: return kKeyPageUp;
    case KEY_NPAGE: return kKeyPageDown;
    case KEY_HOME: return kKeyHome;
    case KEY_END: return kKeyEnd;
    case KEY_BACKSPACE:
    case 127:
    case 8: return kKeyBackspace;
    case KEY_ENTER:
    case '\n':
    case '\r': return kKeyEnter;
    case 27: return kKeyEscape;
    case KEY_RESIZE: return kKeyResize;
    default: return c;
  }
}

int Terminal::width() const { return COLS; }
int Terminal::height() const { return LINES; }
int Terminal::input_fd() const { return STDIN_FILENO; }

}  // namespace syslat::ui
