// The VNC server's input: RFB keysyms reach the PS/2 keyboard at the key that types them on a
// US keyboard, and absolute pointer positions become the relative PS/2 movement the guest's
// mouse reports. Expected codes: X11 keysymdef.h values (the keysyms RFB sends, RFC 6143
// section 7.5.4) and IBM PS/2 scan code set 2; packets as the PS/2 mouse protocol defines them.
#include <catch2/catch.hpp>

#ifdef GHOST86_HAVE_VNC
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "frontend/display_option.h"
#include "frontend/vnc_display.h"
#include "frontend/vnc_keymap.h"
#include "machine/pc_machine.h"
#ifdef GHOST86_HAVE_VNC_CLIENT
#include <rfb/rfbclient.h>
#endif

TEST_CASE("vnc keymap: keysyms to set-2 keys", "[frontend][vnc]") {
  using frontend::vnc_keysym_to_ps2;
  CHECK(vnc_keysym_to_ps2(0x61) == 0x1C);      // a
  CHECK(vnc_keysym_to_ps2(0x41) == 0x1C);      // A: the viewer sent Shift itself
  CHECK(vnc_keysym_to_ps2(0x21) == 0x16);      // !: the 1 key
  CHECK(vnc_keysym_to_ps2(0x5C) == 0x5D);      // backslash
  CHECK(vnc_keysym_to_ps2(0x7C) == 0x5D);      // bar, the same key shifted
  CHECK(vnc_keysym_to_ps2(0x20) == 0x29);      // space
  CHECK(vnc_keysym_to_ps2(0xFF0D) == 0x5A);    // Return
  CHECK(vnc_keysym_to_ps2(0xFF08) == 0x66);    // BackSpace
  CHECK(vnc_keysym_to_ps2(0xFFC4) == 0x83);    // F7, the one set-2 code above 7Fh
  CHECK(vnc_keysym_to_ps2(0xFF52) == 0xE075);  // Up
  CHECK(vnc_keysym_to_ps2(0xFFE4) == 0xE014);  // Control_R
  CHECK(vnc_keysym_to_ps2(0xFFE1) == 0x12);    // Shift_L
  CHECK(vnc_keysym_to_ps2(0xFF8D) == 0xE05A);  // KP_Enter
  CHECK(vnc_keysym_to_ps2(0xFF9C) == 0x69);    // KP_End: keypad 1 with Num Lock off
  CHECK(vnc_keysym_to_ps2(0x20AC) == 0);       // EuroSign: no key on a US keyboard
  CHECK(vnc_keysym_to_ps2(0x7F) == 0);
}

// QEMU's extended key event carries XT (set-1) make codes, E0-prefixed ones with bit 7 set;
// expected: the same key's set-2 make code (IBM PS/2 technical reference key tables).
TEST_CASE("vnc keymap: extended key event XT codes to set-2 keys", "[frontend][vnc]") {
  using frontend::vnc_xt_to_ps2;
  CHECK(vnc_xt_to_ps2(0x1E) == 0x1C);    // the A key
  CHECK(vnc_xt_to_ps2(0x10) == 0x15);    // the Q key
  CHECK(vnc_xt_to_ps2(0x1C) == 0x5A);    // Enter
  CHECK(vnc_xt_to_ps2(0x9C) == 0xE05A);  // keypad Enter: E0 1C
  CHECK(vnc_xt_to_ps2(0x1D) == 0x14);    // Left Ctrl
  CHECK(vnc_xt_to_ps2(0x9D) == 0xE014);  // Right Ctrl: E0 1D
  CHECK(vnc_xt_to_ps2(0xC8) == 0xE075);  // Up: E0 48
  CHECK(vnc_xt_to_ps2(0x41) == 0x83);    // F7
  CHECK(vnc_xt_to_ps2(0x58) == 0x07);    // F12
  CHECK(vnc_xt_to_ps2(0) == 0);
  CHECK(vnc_xt_to_ps2(0x7F) == 0);   // no key
  CHECK(vnc_xt_to_ps2(0x11C) == 0);  // not a code of this encoding
}

namespace {

struct Viewerless {
  explicit Viewerless(const std::string& options = "") : vnc{pc, *frontend::parse_vnc("unix:" + path + options)} {}
  std::string path = "/tmp/ghost86-test-vnc-" + std::to_string(::getpid()) + ".sock";
  machine::MachineConfig cfg;
  machine::PcMachine pc{cfg, [](char) {}};
  frontend::VncDisplay vnc;
};

// Every byte the 8042 has for the processor now (status bit 0: output buffer full), once the
// input queued (as the run loop would at the end of its turn) has taken effect.
std::vector<uint8_t> drain(machine::PcMachine& pc) {
  pc.take_input();
  std::vector<uint8_t> out;
  while (pc.bus().io_read(0x64, 1) & 1) out.push_back(uint8_t(pc.bus().io_read(0x60, 1)));
  return out;
}

}  // namespace

TEST_CASE("vnc display: a viewer's key reaches the keyboard", "[frontend][vnc]") {
  Viewerless v;
  CHECK(v.vnc.clients() == 0);
  CHECK((v.pc.bus().io_read(0x64, 1) & 1) == 0);
  v.vnc.key_event(true, 0x61);  // a
  v.pc.take_input();
  CHECK((v.pc.bus().io_read(0x64, 1) & 1) == 1);
  CHECK(v.pc.bus().io_read(0x60, 1) == 0x1C);  // translation is off after reset: set 2
  v.vnc.key_event(false, 0x61);
  v.pc.take_input();
  CHECK(v.pc.bus().io_read(0x60, 1) == 0xF0);  // the break prefix
}

TEST_CASE("vnc display: pointer positions become relative PS/2 motion", "[frontend][vnc]") {
  Viewerless v;
  v.pc.bus().io_write(0x64, 1, 0xD4);  // the next byte goes to the mouse:
  v.pc.bus().io_write(0x60, 1, 0xF4);  // enable data reporting
  REQUIRE(drain(v.pc) == std::vector<uint8_t>{0xFA});
  v.vnc.pointer_event(0, 100, 100);  // the first position only sets where the pointer is
  CHECK(drain(v.pc).empty());
  // 10 right and 10 up on the screen: +10, +10 in PS/2 counts (y grows upwards).
  v.vnc.pointer_event(0, 110, 90);
  CHECK(drain(v.pc) == std::vector<uint8_t>{0x08, 0x0A, 0x0A});
  // 20 left and 5 down, with the left button (RFB bit 0): negative counts carry their sign bits
  // (byte 0 bits 4 and 5) in two's complement.
  v.vnc.pointer_event(1, 90, 95);
  std::vector<uint8_t> bytes = drain(v.pc);
  int dx = 0, dy = 0;
  uint8_t buttons = 0;
  for (size_t i = 0; i + 2 < bytes.size(); i += 3) {
    dx += (bytes[i] & 0x10) ? int(bytes[i + 1]) - 256 : bytes[i + 1];
    dy += (bytes[i] & 0x20) ? int(bytes[i + 2]) - 256 : bytes[i + 2];
    buttons = bytes[i] & 7;
  }
  CHECK(bytes.size() % 3 == 0);
  CHECK(dx == -20);
  CHECK(dy == -5);
  CHECK(buttons == 1);
  v.vnc.pointer_event(0, 90, 95);  // released: one packet without buttons or motion
  CHECK(drain(v.pc) == std::vector<uint8_t>{0x08, 0x00, 0x00});
}

#ifdef GHOST86_HAVE_VNC_CLIENT
TEST_CASE("vnc display: a viewer that leaves with a key down releases it", "[frontend][vnc]") {
  Viewerless v;
  // A libvncclient viewer in a thread; the machine's side stays on this one, polling as the run
  // loop does until the viewer has pressed X and gone.
  std::atomic<bool> done{false};
  std::atomic<bool> connected{false};
  std::thread viewer([&] {
    rfbClient* c = rfbGetClient(8, 3, 4);
    std::free(c->serverHost);  // the default rfbGetClient made
    c->serverHost = strdup(v.path.c_str());
    // Pictures received (updates with rectangles): the server answers messages in order, so
    // the second, requested after the key, comes once it has taken the key.
    struct Count {
      int rects = 0, pictures = 0;
    } count;
    static char tag;
    rfbClientSetClientData(c, &tag, &count);
    c->GotFrameBufferUpdate = [](rfbClient* cl, int, int, int, int) {
      static_cast<Count*>(rfbClientGetClientData(cl, &tag))->rects++;
    };
    c->FinishedFrameBufferUpdate = [](rfbClient* cl) {
      Count& n = *static_cast<Count*>(rfbClientGetClientData(cl, &tag));
      if (n.rects) n.pictures++;
      n.rects = 0;
    };
    if (rfbInitClient(c, nullptr, nullptr)) {
      connected = true;
      SendKeyEvent(c, 0x78, TRUE);  // x, and no release
      SendFramebufferUpdateRequest(c, 0, 0, c->width, c->height, FALSE);
      while (count.pictures < 2 && WaitForMessage(c, 100'000) >= 0)
        if (!HandleRFBServerMessage(c)) break;
      std::free(c->frameBuffer);  // the default allocation; cleanup leaves it to the client
      rfbClientCleanup(c);
    }
    done = true;
  });
  while (!done) v.vnc.poll();
  viewer.join();
  REQUIRE(connected);
  // The server takes what the viewer sent before noticing it left.
  for (int i = 0; i < 100 && v.vnc.clients() > 0; i++) {
    v.vnc.idle(1'000'000);
    v.vnc.poll();
  }
  CHECK(v.vnc.clients() == 0);
  // Set 2: X's make code 22h, then its break F0h 22h.
  CHECK(drain(v.pc) == std::vector<uint8_t>{0x22, 0xF0, 0x22});
}

namespace {

// Runs `viewer` (a libvncclient session) on a thread while this one serves it as the run loop
// would, until it is done and the server has noticed it left.
void with_viewer(Viewerless& v, const std::function<void()>& viewer) {
  std::atomic<bool> done{false};
  std::thread t([&] {
    viewer();
    done = true;
  });
  while (!done) v.vnc.poll();
  t.join();
  for (int i = 0; i < 100 && v.vnc.clients() > 0; i++) {
    v.vnc.idle(1'000'000);
    v.vnc.poll();
  }
}

void quiet(const char*, ...) {}

// A connected viewer with `password` for VNC authentication, or null when the server refused it.
rfbClient* connect(const Viewerless& v, const char* password) {
  rfbClientLog = rfbClientErr = quiet;
  rfbClient* c = rfbGetClient(8, 3, 4);
  std::free(c->serverHost);  // the default rfbGetClient made
  c->serverHost = strdup(v.path.c_str());
  static char tag;
  rfbClientSetClientData(c, &tag, const_cast<char*>(password));
  c->GetPassword = [](rfbClient* cl) { return strdup(static_cast<const char*>(rfbClientGetClientData(cl, &tag))); };
  if (!rfbInitClient(c, nullptr, nullptr)) return nullptr;  // it freed the client
  return c;
}

void disconnect(rfbClient* c) {
  std::free(c->frameBuffer);  // the default allocation; cleanup leaves it to the client
  rfbClientCleanup(c);
}

// Reads the server's messages until `done` or about 10 s passed.
bool serve_until(rfbClient* c, const std::function<bool()>& done) {
  for (int i = 0; i < 100 && !done(); i++)
    if (WaitForMessage(c, 100'000) < 0 || (!done() && !HandleRFBServerMessage(c))) return false;
  return done();
}

}  // namespace

TEST_CASE("vnc display: extended key events give the key whatever the keysym", "[frontend][vnc]") {
  Viewerless v;
  bool offered = false;
  with_viewer(v, [&] {
    rfbClient* c = connect(v, "");
    if (!c) return;
    // libvncclient lists the pseudo-encoding; the server's answer enables the message.
    SendFramebufferUpdateRequest(c, 0, 0, c->width, c->height, FALSE);
    offered = serve_until(c, [c] { return SupportsClient2Server(c, rfbQemuEvent) != 0; });
    // The key at A's place with the keysym of "q" (as on an AZERTY layout), Up with no keysym,
    // and a keysym alone (code 0).
    SendExtendedKeyEvent(c, 0x71, 0x1E, TRUE);
    SendExtendedKeyEvent(c, 0x71, 0x1E, FALSE);
    SendExtendedKeyEvent(c, 0, 0xC8, TRUE);
    SendExtendedKeyEvent(c, 0x62, 0, TRUE);  // b
    // The server answers in order: a picture requested now comes once it has taken the keys.
    static char tag;
    int rects = 0;
    rfbClientSetClientData(c, &tag, &rects);
    c->GotFrameBufferUpdate = [](rfbClient* cl, int, int, int, int) { ++*static_cast<int*>(rfbClientGetClientData(cl, &tag)); };
    SendFramebufferUpdateRequest(c, 0, 0, c->width, c->height, FALSE);
    serve_until(c, [&rects] { return rects > 0; });
    disconnect(c);
  });
  REQUIRE(offered);
  // Set 2: A (1Ch) down and up; Up (E0 75h) down; B (32h) down; then, as the viewer left
  // holding them, Up and B released.
  CHECK(drain(v.pc) ==
        std::vector<uint8_t>{0x1C, 0xF0, 0x1C, 0xE0, 0x75, 0x32, 0xE0, 0xF0, 0x75, 0xF0, 0x32});
}

TEST_CASE("vnc display: password=on lets in only a viewer with the password", "[frontend][vnc]") {
  Viewerless v(",password=on");
  const auto tries = [&v](const char* password) {
    bool in = false, saw = false;
    with_viewer(v, [&] {
      rfbClient* c = connect(v, password);
      if (!c) return;
      in = true;
      // Seeing the screen: a whole picture arrives.
      static char tag;
      int rects = 0;
      rfbClientSetClientData(c, &tag, &rects);
      c->GotFrameBufferUpdate = [](rfbClient* cl, int, int, int, int) { ++*static_cast<int*>(rfbClientGetClientData(cl, &tag)); };
      SendFramebufferUpdateRequest(c, 0, 0, c->width, c->height, FALSE);
      saw = serve_until(c, [&rects] { return rects > 0; });
      disconnect(c);
    });
    return in && saw;
  };
  CHECK_FALSE(tries(""));        // no password set yet: nobody
  CHECK_FALSE(tries("secret"));
  REQUIRE(v.vnc.set_password("secret"));
  CHECK_FALSE(tries("wrong"));
  CHECK(tries("secret"));
  // Only the first 8 characters are the DES key.
  REQUIRE(v.vnc.set_password("password1"));
  CHECK(tries("password2"));
  // Without password=on there is no password to set.
  Viewerless open;
  CHECK_FALSE(open.vnc.set_password("secret"));
}
#endif
#endif
