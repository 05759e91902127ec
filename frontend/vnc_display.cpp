#include "frontend/vnc_display.h"

#include <rfb/rfb.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <set>
#include <unordered_map>
#include <vector>

#include "devices/ps2_mouse.h"
#include "devices/vga_render.h"
#include "frontend/host_input.h"
#include "frontend/vnc_keymap.h"
#include "machine/pc_machine.h"

namespace frontend {
namespace {

// The picture is refreshed this often in host time while a viewer is connected: display only,
// the guest never sees it.
constexpr auto kFramePeriod = std::chrono::milliseconds(33);
// The size shown while the VGA displays nothing (before the BIOS sets a mode).
constexpr unsigned kBlankWidth = 640, kBlankHeight = 480;

// QEMU's extended key event: a viewer that lists this pseudo-encoding (-258) is answered with a
// rectangle of it, and may then send client message 255 subtype 0 carrying the key's XT code
// besides its keysym (RFB community documentation, "QEMU Extended Key Event").
constexpr int kQemuExtendedKeyEncoding = int(rfbEncodingQemuExtendedKeyEvent);

void put_be(uint8_t* at, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; i++) at[i] = uint8_t(v >> (8 * (bytes - 1 - i)));
}

uint32_t get_be(const uint8_t* at, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; i++) v = v << 8 | at[i];
  return v;
}

// RFB pointer button mask bits (RFC 6143 section 7.5.5) and the PS/2 mouse's.
constexpr std::pair<int, uint8_t> kButtons[] = {
    {1, devices::Ps2Mouse::kLeft}, {2, devices::Ps2Mouse::kMiddle}, {4, devices::Ps2Mouse::kRight}};

void quiet(const char*, ...) {}

}  // namespace

struct VncDisplay::Impl {
  machine::PcMachine& pc;
  HostInput input;
  control::Listener listener;
  rfbScreenInfoPtr screen = nullptr;
  std::vector<uint32_t> fb;  // 0x00RRGGBB, as devices::VgaFrame, so a frame is copied as it is
  unsigned width = 0, height = 0;
  std::chrono::steady_clock::time_point next_frame{};
  int last_x = -1, last_y = -1;  // the pointer, for the guest's relative motion
  int mask = 0;
  // The keys each viewer holds down, released when it goes: a viewer that disconnects with a key
  // down would otherwise leave the guest's keyboard repeating it.
  std::unordered_map<rfbClientPtr, std::vector<uint16_t>> held;
  std::string name;  // the desktop name viewers show: -name, or ghost86
  rfbProtocolExtension qemu_keys{};  // enabled for every viewer
  // Viewers owed the extension's answer. It waits until libvncserver has sent a viewer its
  // first picture, which carries the SupportedMessages rectangle libvncclient takes as the
  // whole list of messages it may send: one that came later would drop the extension's.
  std::set<rfbClientPtr> owed_ack;
  // password=on: the list libvncserver's rfbCheckPasswordByList reads (empty: nobody gets in).
  bool password_auth = false;
  std::string password;
  std::vector<char*> passwords{nullptr};

  Impl(machine::PcMachine& pc, const VncOptions& where)
      : pc(pc), input(pc), listener(where, "-vnc"), password_auth(where.password) {}

  ~Impl() {
    if (!screen) return;
    // Viewers still connected: their extension records go with the extension (libvncserver
    // frees them only in rfbDisableExtension).
    rfbClientIteratorPtr it = rfbGetClientIterator(screen);
    while (rfbClientPtr cl = rfbClientIteratorNext(it))
      while (rfbDisableExtension(cl, &qemu_keys)) {
      }
    rfbReleaseClientIterator(it);
    rfbShutdownServer(screen, TRUE);
    rfbScreenCleanup(screen);
  }

  // 32-bit pixels with red in bits 16-23, as VgaFrame has them (RFC 6143 section 7.4).
  void set_pixel_format() {
    screen->serverFormat.redShift = 16;
    screen->serverFormat.greenShift = 8;
    screen->serverFormat.blueShift = 0;
  }

  void start() {
    const devices::VgaFrame frame = devices::vga_render(pc.board().vga());
    width = frame.width ? frame.width : kBlankWidth;
    height = frame.height ? frame.height : kBlankHeight;
    fb.assign(size_t(width) * height, 0);
    if (frame.width) std::copy(frame.pixels.begin(), frame.pixels.end(), fb.begin());
    screen = rfbGetScreen(nullptr, nullptr, int(width), int(height), 8, 3, 4);
    if (!screen) throw std::runtime_error("-vnc: cannot create the VNC server");
    screen->frameBuffer = reinterpret_cast<char*>(fb.data());
    set_pixel_format();
    name = pc.config().name.empty() ? "ghost86" : pc.config().name;
    screen->desktopName = name.c_str();
    // Viewers come from our listener (TCP or a Unix socket); the library opens no port itself.
    screen->port = 0;
    screen->ipv6port = 0;
    screen->autoPort = FALSE;
    screen->deferUpdateTime = 0;  // sent at once: the poll already paces the frames
    screen->alwaysShared = TRUE;  // several viewers may watch
    screen->cursor = nullptr;     // the guest draws its own pointer; the picture stays the screen's
    screen->screenData = this;
    screen->kbdAddEvent = [](rfbBool down, rfbKeySym sym, rfbClientPtr cl) {
      static_cast<Impl*>(cl->screen->screenData)->key(down, sym, cl);
    };
    screen->newClientHook = [](rfbClientPtr cl) {
      cl->clientGoneHook = [](rfbClientPtr gone) {
        Impl& self = *static_cast<Impl*>(gone->screen->screenData);
        self.viewer_left(gone);
        // libvncserver frees a viewer's extension list only through this.
        while (rfbDisableExtension(gone, &self.qemu_keys)) {
        }
      };
      Impl& self = *static_cast<Impl*>(cl->screen->screenData);
      rfbEnableExtension(cl, &self.qemu_keys, nullptr);  // no data: rfbDisableExtension frees it
      return RFB_CLIENT_ACCEPT;
    };
    // Enabled per viewer rather than registered: libvncserver's registry is process-wide.
    qemu_keys.enablePseudoEncoding = [](rfbClientPtr cl, void**, int encoding) -> rfbBool {
      if (encoding != kQemuExtendedKeyEncoding) return FALSE;
      static_cast<Impl*>(cl->screen->screenData)->owed_ack.insert(cl);
      return TRUE;
    };
    qemu_keys.handleMessage = [](rfbClientPtr cl, void*, const rfbClientToServerMsg* msg) -> rfbBool {
      if (msg->type != rfbQemuEvent) return FALSE;
      static_cast<Impl*>(cl->screen->screenData)->qemu_message(cl);
      return TRUE;
    };
    if (password_auth) {
      screen->passwordCheck = rfbCheckPasswordByList;
      screen->authPasswdData = passwords.data();
    }
    screen->ptrAddEvent = [](int buttons, int x, int y, rfbClientPtr cl) {
      static_cast<Impl*>(cl->screen->screenData)->pointer(buttons, x, y);
    };
    rfbInitServer(screen);
    // The listener wakes the idle wait (rfbProcessEvents selects on allFds) as a viewer's input
    // does.
    FD_SET(listener.fd(), &screen->allFds);
    screen->maxFd = std::max(screen->maxFd, listener.fd());
  }

  void key(bool down, uint32_t sym, rfbClientPtr from) { key_code(down, vnc_keysym_to_ps2(sym), from); }

  // The viewer may send extended key events from now on: a FramebufferUpdate of one rectangle
  // in the pseudo-encoding (header, then x, y, width, height and the encoding, big-endian). Its
  // geometry means nothing; an empty one cannot pass for pixels a viewer waits for.
  void ack_extended_keys() {
    for (auto it = owed_ack.begin(); it != owed_ack.end();) {
      rfbClientPtr cl = *it;
      if (rfbStatGetMessageCountSent(cl, rfbFramebufferUpdate) == 0) {
        ++it;
        continue;
      }
      uint8_t msg[16] = {rfbFramebufferUpdate};
      put_be(msg + 2, 1, 2);
      put_be(msg + 12, uint32_t(kQemuExtendedKeyEncoding), 4);
      rfbWriteExact(cl, reinterpret_cast<const char*>(msg), sizeof msg);
      it = owed_ack.erase(it);
    }
  }

  // Serves the viewers for up to `usec` microseconds.
  void serve(long usec) {
    rfbProcessEvents(screen, usec);
    if (!owed_ack.empty()) ack_extended_keys();
  }

  // Client message 255 (its type byte read): subtype 0 is the extended key event, then a U16
  // down flag, the U32 keysym and the U32 XT key code. Another subtype's length is unknown, so
  // the viewer is dropped, as for any message the server does not know.
  void qemu_message(rfbClientPtr cl) {
    uint8_t subtype = 0, body[10];
    if (rfbReadExact(cl, reinterpret_cast<char*>(&subtype), 1) <= 0 || subtype != 0 ||
        rfbReadExact(cl, reinterpret_cast<char*>(body), sizeof body) <= 0) {
      rfbCloseClient(cl);
      return;
    }
    const bool down = get_be(body, 2) != 0;
    // The key code names the key whatever the viewer's layout; the keysym is for viewers
    // that could not tell the key (code 0).
    uint16_t code = vnc_xt_to_ps2(get_be(body + 6, 4));
    if (!code) code = vnc_keysym_to_ps2(get_be(body + 2, 4));
    key_code(down, code, cl);
  }

  void key_code(bool down, uint16_t code, rfbClientPtr from) {
    if (!code) return;
    std::vector<uint16_t>& keys = held[from];
    std::erase(keys, code);
    if (down) keys.push_back(code);
    input.key(code, down);
  }

  void viewer_left(rfbClientPtr cl) {
    owed_ack.erase(cl);
    if (const auto it = held.find(cl); it != held.end()) {
      for (const uint16_t code : it->second) input.key(code, false);
      held.erase(it);
    }
  }

  void pointer(int buttons, int x, int y) {
    // RFB positions are absolute; the PS/2 mouse counts movement, upwards positive.
    if (last_x >= 0) input.mouse_move(x - last_x, last_y - y);
    last_x = x, last_y = y;
    for (const auto& [rfb_bit, ps2_bit] : kButtons)
      if ((buttons ^ mask) & rfb_bit) input.mouse_button(ps2_bit, (buttons & rfb_bit) != 0);
    mask = buttons;
  }

  bool watched() const { return screen->clientHead != nullptr; }

  // Copies the current picture in and marks the rows that changed.
  void refresh() {
    const devices::VgaFrame frame = devices::vga_render(pc.board().vga());
    const unsigned w = frame.width ? frame.width : width, h = frame.height ? frame.height : height;
    if (w != width || h != height) {
      std::vector<uint32_t> bigger(size_t(w) * h, 0);
      rfbNewFramebuffer(screen, reinterpret_cast<char*>(bigger.data()), int(w), int(h), 8, 3, 4);
      set_pixel_format();
      fb.swap(bigger);
      width = w, height = h;
    }
    if (!frame.width) {
      if (std::any_of(fb.begin(), fb.end(), [](uint32_t p) { return p != 0; })) {
        std::fill(fb.begin(), fb.end(), 0);
        rfbMarkRectAsModified(screen, 0, 0, int(width), int(height));
      }
      return;
    }
    int first = -1, last = -1;
    for (unsigned y = 0; y < height; y++) {
      const uint32_t* src = frame.pixels.data() + size_t(y) * width;
      uint32_t* dst = fb.data() + size_t(y) * width;
      if (std::memcmp(src, dst, width * 4) == 0) continue;
      std::memcpy(dst, src, width * 4);
      if (first < 0) first = int(y);
      last = int(y);
    }
    if (first >= 0) rfbMarkRectAsModified(screen, 0, first, int(width), last + 1);
  }

  void accept_viewers() {
    for (int fd; (fd = listener.accept_client()) >= 0;) {
      // A new viewer is told the size at once, so the picture must be the current one.
      refresh();
      if (!rfbNewClient(screen, fd)) ::close(fd);
    }
  }
};

VncDisplay::VncDisplay(machine::PcMachine& pc, const VncOptions& where)
    : impl_(std::make_unique<Impl>(pc, where)) {
  // The library's log lines would mix with the guest's console on stdout and stderr.
  rfbLog = quiet;
  rfbErr = quiet;
  impl_->start();
}

VncDisplay::~VncDisplay() = default;

void VncDisplay::poll() {
  impl_->accept_viewers();
  if (!impl_->watched()) return;
  const auto now = std::chrono::steady_clock::now();
  if (now >= impl_->next_frame) {
    impl_->refresh();
    impl_->next_frame = now + kFramePeriod;
  }
  impl_->serve(0);
}

void VncDisplay::idle(uint64_t ns) {
  const long usec = long(std::min<uint64_t>(ns / 1000, 10'000));
  impl_->serve(usec);
  impl_->accept_viewers();
}

void VncDisplay::key_event(bool down, uint32_t keysym) { impl_->key(down, keysym, nullptr); }

void VncDisplay::pointer_event(int button_mask, int x, int y) { impl_->pointer(button_mask, x, y); }

unsigned VncDisplay::clients() const {
  unsigned n = 0;
  for (rfbClientPtr cl = impl_->screen->clientHead; cl; cl = cl->next) n++;
  return n;
}

bool VncDisplay::set_password(const std::string& password) {
  if (!impl_->password_auth) return false;
  impl_->password = password;
  impl_->passwords = {impl_->password.data(), nullptr};
  impl_->screen->authPasswdData = impl_->passwords.data();
  return true;
}

}  // namespace frontend
