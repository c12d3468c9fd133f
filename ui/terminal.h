// The ncurses side of the dashboard: owns the screen from open() to
// destruction (which always restores the terminal), paints frames and reads
// keys. Painting only the changed cells is ncurses' job; we never clear the
// screen, so nothing flickers.
#pragma once

#include <memory>

#include "ui/frame.h"
#include "util/expected.h"

namespace syslat::ui {

class Terminal {
 public:
  static util::Expected<std::unique_ptr<Terminal>> open();
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  void paint(const Frame& frame);
  // The next key (ui/keys.h codes or a character), -1 if none is waiting.
  int read_key();
  int width() const;
  int height() const;
  int input_fd() const;  // readable when a key (or a resize) waits

 private:
  Terminal() = default;
  bool colors_ = false;
  void* screen_ = nullptr;  // ncurses' SCREEN, kept opaque here
};

}  // namespace syslat::ui
