#include <catch2/catch.hpp>

#include <unistd.h>

#include <deque>
#include <string>

#include "devices/uart.h"
#include "frontend/terminal.h"

namespace {

struct NoIrq : devices::IrqSink {
  void set_irq(unsigned, bool) override {}
};

std::string feed(const std::string& keys, bool* quit_out = nullptr) {
  frontend::SerialTerminal::Escapes esc;
  std::deque<uint8_t> out;
  bool quit = false;
  for (char c : keys) esc.feed(uint8_t(c), out, quit);
  if (quit_out) *quit_out = quit;
  return std::string(out.begin(), out.end());
}

}  // namespace

// The escape keys follow QEMU's character devices: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A.
TEST_CASE("serial terminal: Ctrl-A escapes", "[frontend][terminal]") {
  bool quit = false;
  CHECK(feed("ls\r", &quit) == "ls\r");
  CHECK_FALSE(quit);
  CHECK(feed("a\x01\x01" "b", &quit) == "a\x01" "b");
  CHECK_FALSE(quit);
  CHECK(feed("\x01q", &quit).empty());  // unknown command: dropped
  CHECK_FALSE(quit);
  CHECK(feed("\x03", &quit) == "\x03");  // Ctrl-C belongs to the guest
  feed("\x01x", &quit);
  CHECK(quit);
}

TEST_CASE("serial terminal: input reaches the UART at the pace the guest takes it", "[frontend][terminal]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  uint64_t icount = 0;
  machine::Clock clock{icount, 1};
  NoIrq irq;
  devices::Uart uart{clock, irq, 0x3f8, 4};
  bool quit = false;
  {
    const auto send = [&uart](uint8_t b) {
      if (!uart.can_receive()) return false;
      uart.receive(b);
      return true;
    };
    frontend::SerialTerminal term(fds[0], send, [&quit] { quit = true; });
    CHECK_FALSE(term.raw());  // a pipe is no terminal
    REQUIRE(::write(fds[1], "hi", 2) == 2);
    term.poll();
    // FIFOs are off after reset: the receiver holds one character, the rest waits.
    CHECK(uart.port_read(0x3fd, 1) & 1);
    CHECK(term.pending() == 1);
    CHECK(uart.port_read(0x3f8, 1) == 'h');
    for (uint64_t next; (next = clock.next_event_icount()) != machine::Clock::kNever;) {
      icount = next;
      clock.run_due();
    }
    icount += 10'000'000;  // a character time at any speed
    term.poll();
    CHECK(term.pending() == 0);
    CHECK(uart.port_read(0x3f8, 1) == 'i');
    REQUIRE(::write(fds[1], "\x01x", 2) == 2);
    term.poll();
    CHECK(quit);
  }
  ::close(fds[0]);
  ::close(fds[1]);
}
