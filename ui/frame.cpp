#include "ui/frame.h"

namespace syslat::ui {

Line Line::of(std::string text, Style style) {
  Line l;
  if (!text.empty()) l.spans.push_back({std::move(text), style});
  return l;
}

Line& Line::add(std::string text, Style style) {
  if (!text.empty()) spans.push_back({std::move(text), style});
  return *this;
}

size_t Line::width() const {
  size_t w = 0;
  for (const Span& s : spans) w += s.text.size();
  return w;
}

void clip(Line& line, size_t width) {
  size_t used = 0;
  for (size_t i = 0; i < line.spans.size(); ++i) {
    std::string& t = line.spans[i].text;
    if (used + t.size() > width) {
      t.resize(width - used);
      line.spans.resize(t.empty() ? i : i + 1);
      return;
    }
    used += t.size();
  }
}

std::string plain_text(const Frame& frame) {
  std::string out;
  for (const Line& line : frame) {
    std::string text;
    for (const Span& s : line.spans) text += s.text;
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text;
    out += '\n';
  }
  return out;
}

}  // namespace syslat::ui
