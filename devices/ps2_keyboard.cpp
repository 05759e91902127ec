#include "devices/ps2_keyboard.h"

#include <array>
#include <stdexcept>

namespace devices {
namespace {

// Set-2 make code -> set-1 make code for each key, from the key-position tables of the IBM
// PS/2 keyboard technical reference and Microsoft's Keyboard Scan Code Specification (F13-F24,
// Windows and international keys). The 8042 translation table is the inverse of these pairs.
struct CodePair {
  uint8_t set2, set1;
};
constexpr CodePair kKeys[] = {
    // Esc, digits row
    {0x76, 0x01}, {0x16, 0x02}, {0x1e, 0x03}, {0x26, 0x04}, {0x25, 0x05}, {0x2e, 0x06}, {0x36, 0x07},
    {0x3d, 0x08}, {0x3e, 0x09}, {0x46, 0x0a}, {0x45, 0x0b}, {0x4e, 0x0c}, {0x55, 0x0d}, {0x66, 0x0e},
    // Tab, Q row, Enter, Left Ctrl
    {0x0d, 0x0f}, {0x15, 0x10}, {0x1d, 0x11}, {0x24, 0x12}, {0x2d, 0x13}, {0x2c, 0x14}, {0x35, 0x15},
    {0x3c, 0x16}, {0x43, 0x17}, {0x44, 0x18}, {0x4d, 0x19}, {0x54, 0x1a}, {0x5b, 0x1b}, {0x5a, 0x1c},
    {0x14, 0x1d},
    // A row, backquote, Left Shift, backslash
    {0x1c, 0x1e}, {0x1b, 0x1f}, {0x23, 0x20}, {0x2b, 0x21}, {0x34, 0x22}, {0x33, 0x23}, {0x3b, 0x24},
    {0x42, 0x25}, {0x4b, 0x26}, {0x4c, 0x27}, {0x52, 0x28}, {0x0e, 0x29}, {0x12, 0x2a}, {0x5d, 0x2b},
    // Z row, Right Shift, keypad *, Left Alt, Space, Caps Lock
    {0x1a, 0x2c}, {0x22, 0x2d}, {0x21, 0x2e}, {0x2a, 0x2f}, {0x32, 0x30}, {0x31, 0x31}, {0x3a, 0x32},
    {0x41, 0x33}, {0x49, 0x34}, {0x4a, 0x35}, {0x59, 0x36}, {0x7c, 0x37}, {0x11, 0x38}, {0x29, 0x39},
    {0x58, 0x3a},
    // F1-F10, Num Lock, Scroll Lock
    {0x05, 0x3b}, {0x06, 0x3c}, {0x04, 0x3d}, {0x0c, 0x3e}, {0x03, 0x3f}, {0x0b, 0x40}, {0x83, 0x41},
    {0x0a, 0x42}, {0x01, 0x43}, {0x09, 0x44}, {0x77, 0x45}, {0x7e, 0x46},
    // keypad 7 8 9 - 4 5 6 + 1 2 3 0 .
    {0x6c, 0x47}, {0x75, 0x48}, {0x7d, 0x49}, {0x7b, 0x4a}, {0x6b, 0x4b}, {0x73, 0x4c}, {0x74, 0x4d},
    {0x79, 0x4e}, {0x69, 0x4f}, {0x72, 0x50}, {0x7a, 0x51}, {0x70, 0x52}, {0x71, 0x53},
    // Alt+SysRq, 102nd key, F11, F12, keypad =
    {0x84, 0x54}, {0x61, 0x56}, {0x78, 0x57}, {0x07, 0x58}, {0x0f, 0x59},
    // Windows keys and Menu (sent with E0), Power/Sleep/Wake (E0)
    {0x1f, 0x5b}, {0x27, 0x5c}, {0x2f, 0x5d}, {0x37, 0x5e}, {0x3f, 0x5f}, {0x5e, 0x63},
    // F13-F24 (also the E0-prefixed browser and mail keys)
    {0x08, 0x64}, {0x10, 0x65}, {0x18, 0x66}, {0x20, 0x67}, {0x28, 0x68}, {0x30, 0x69}, {0x38, 0x6a},
    {0x40, 0x6b}, {0x48, 0x6c}, {0x50, 0x6d}, {0x57, 0x6e}, {0x5f, 0x76},
    // Japanese and Brazilian keys: Katakana, Ro, Henkan, Muhenkan, Yen
    {0x13, 0x70}, {0x51, 0x73}, {0x64, 0x79}, {0x67, 0x7b}, {0x6a, 0x7d},
};

struct Tables {
  std::array<uint8_t, 256> to_set1{};
  std::array<bool, 256> is_key{};
  std::array<uint8_t, 128> to_set2{};  // a set-1 make code's key (0: none)
};

constexpr Tables make_tables() {
  Tables t;
  for (unsigned i = 0; i < 256; i++) t.to_set1[i] = uint8_t(i);
  for (const CodePair& p : kKeys) {
    t.to_set1[p.set2] = p.set1;
    t.is_key[p.set2] = true;
    t.to_set2[p.set1] = p.set2;
  }
  // Set 2's key-detection error/overrun code 00h is set 1's FFh. 02h is no key, yet translated
  // to 41h: the translated answer to "get scan code set" for set 2 is 41h.
  t.to_set1[0x00] = 0xff;
  t.to_set1[0x02] = 0x41;
  return t;
}
constexpr Tables kTables = make_tables();
static_assert(kTables.to_set1[0x1c] == 0x1e);  // 'A'

constexpr uint8_t kAck = 0xfa, kBatOk = 0xaa, kEcho = 0xee, kResend = 0xfe;

bool known_key(uint16_t key) {
  if (key == ps2key::kPause) return true;
  const uint8_t hi = key >> 8, lo = key & 0xff;
  return (hi == 0 || hi == 0xe0) && kTables.is_key[lo];
}

}  // namespace

uint8_t set2_to_set1(uint8_t code) { return kTables.to_set1[code]; }

uint16_t set1_to_key(uint16_t code) {
  const uint8_t hi = code >> 8, lo = code & 0xff;
  if ((hi != 0 && hi != 0xe0) || lo >= 0x80 || !kTables.to_set2[lo]) return 0;
  return uint16_t(hi << 8 | kTables.to_set2[lo]);
}

Ps2Keyboard::Ps2Keyboard(machine::Clock& clock) : clock_(clock) {
  repeat_timer_ = clock_.add_timer([this] { on_repeat(); });
}

void Ps2Keyboard::reset() {
  clock_.cancel(repeat_timer_);
  s_ = State{};
}

uint64_t Ps2Keyboard::typematic_delay_ns(uint8_t tm) {
  return (((tm >> 5) & 3) + 1) * 250'000'000ull;  // bits 6-5: 250, 500, 750, 1000 ms
}

uint64_t Ps2Keyboard::typematic_period_ns(uint8_t tm) {
  // Period = (8 + A) x 2^B x 1/240 s, A = bits 2-0, B = bits 4-3: 30.0 down to 2.0 per second.
  const uint64_t a = tm & 7, b = (tm >> 3) & 3;
  return ((8 + a) << b) * 1'000'000'000ull / 240;
}

void Ps2Keyboard::stop_repeat() {
  s_.repeat_key = 0;
  s_.repeat_ns = machine::Clock::kNever;
  clock_.cancel(repeat_timer_);
}

void Ps2Keyboard::set_defaults() {
  s_.typematic = kDefaultTypematic;
  stop_repeat();
}

void Ps2Keyboard::respond(std::initializer_list<uint8_t> bytes) {
  for (uint8_t b : bytes) s_.resp.push(b);
  notify();
}

void Ps2Keyboard::write(uint8_t byte) {
  if (s_.arg_cmd) {
    // A command byte (EDh and up) in place of the argument abandons the pending command.
    if (byte < 0xed) return argument(byte);
    s_.arg_cmd = 0;
  }
  command(byte);
}

void Ps2Keyboard::command(uint8_t cmd) {
  switch (cmd) {
    case 0xed:  // set LEDs
    case 0xf0:  // get/set scan code set
    case 0xf3:  // set typematic rate/delay
    case 0xfb:  // set-3 key types: a list of keys follows, up to the next command
    case 0xfc:
    case 0xfd:
      s_.arg_cmd = cmd;
      respond({kAck});
      return;
    case 0xee: respond({kEcho}); return;
    case 0xf2: respond({kAck, 0xab, 0x83}); return;  // MF2 keyboard ID
    case 0xf4:  // enable scanning
      s_.keys.clear();
      stop_repeat();
      s_.scanning = true;
      respond({kAck});
      return;
    case 0xf5:  // default and disable
    case 0xf6:  // set default
      set_defaults();
      s_.keys.clear();
      s_.scanning = cmd == 0xf6;
      respond({kAck});
      return;
    case 0xf7:
    case 0xf8:
    case 0xf9:
    case 0xfa: respond({kAck}); return;  // set-3 all-key types: accepted, no effect on output
    case 0xfe: respond({s_.last_sent}); return;
    case 0xff:  // reset: ACK, then the basic assurance test passes
      set_defaults();
      s_.keys.clear();
      s_.resp.clear();
      s_.set = 2;
      s_.leds = 0;
      s_.scanning = true;
      respond({kAck, kBatOk});
      return;
    default: respond({kResend}); return;  // not a command
  }
}

void Ps2Keyboard::argument(uint8_t arg) {
  switch (s_.arg_cmd) {
    case 0xed:
      s_.leds = arg & 7;
      break;
    case 0xf3:
      if (arg & 0x80) return respond({kResend});
      s_.typematic = arg;
      break;
    case 0xf0:
      if (arg > 3) return respond({kResend});
      s_.arg_cmd = 0;
      if (arg == 0) return respond({kAck, s_.set});
      s_.set = arg;
      s_.keys.clear();
      return respond({kAck});
    default:  // FBh-FDh key list: every key byte is acknowledged, the command stays active
      return respond({kAck});
  }
  s_.arg_cmd = 0;
  respond({kAck});
}

uint8_t Ps2Keyboard::read() {
  if (!s_.resp.empty()) return s_.last_sent = s_.resp.pop();
  if (!s_.keys.empty()) return s_.last_sent = s_.keys.pop();
  return 0;
}

void Ps2Keyboard::queue_scan_codes(const uint8_t* seq, size_t len) {
  uint8_t buf[8];
  size_t n = 0;
  if (s_.set == 1) {
    // Set 1 is the translated form of set 2, break codes included.
    bool brk = false;
    for (size_t i = 0; i < len; i++) {
      if (seq[i] == 0xf0) {
        brk = true;
        continue;
      }
      buf[n++] = uint8_t(set2_to_set1(seq[i]) | (brk ? 0x80 : 0));
      brk = false;
    }
  } else {
    // Set 3 has no table of its own here: its keys are sent with their set-2 codes.
    for (size_t i = 0; i < len; i++) buf[n++] = seq[i];
  }
  if (s_.keys.room() > n) {
    for (size_t i = 0; i < n; i++) s_.keys.push(buf[i]);
  } else if (!s_.keys.full()) {
    s_.keys.push(s_.set == 1 ? 0xff : 0x00);  // buffer overrun code; the event is lost
  }
  notify();
}

void Ps2Keyboard::emit_key(uint16_t key, bool make) {
  const uint8_t code = key & 0xff;
  const bool ext = (key >> 8) == 0xe0;
  if (key == ps2key::kPause) {
    static constexpr uint8_t kPauseSeq[] = {0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77};
    if (make) queue_scan_codes(kPauseSeq, sizeof kPauseSeq);  // no break code
    return;
  }
  if (key == ps2key::kPrintScreen) {  // sent as a fake Left Shift plus E0 7C
    static constexpr uint8_t kMake[] = {0xe0, 0x12, 0xe0, 0x7c};
    static constexpr uint8_t kBreak[] = {0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12};
    return make ? queue_scan_codes(kMake, sizeof kMake) : queue_scan_codes(kBreak, sizeof kBreak);
  }
  uint8_t seq[3];
  size_t n = 0;
  if (ext) seq[n++] = 0xe0;
  if (!make) seq[n++] = 0xf0;
  seq[n++] = code;
  queue_scan_codes(seq, n);
}

bool Ps2Keyboard::press(uint16_t key) {
  if (!known_key(key)) return false;
  if (!s_.scanning) return true;
  emit_key(key, true);
  if (key == ps2key::kPause) return true;  // Pause does not repeat
  s_.repeat_key = key;
  arm_repeat(clock_.now_ns(), typematic_delay_ns(s_.typematic));
  return true;
}

bool Ps2Keyboard::release(uint16_t key) {
  if (!known_key(key)) return false;
  if (key == s_.repeat_key) stop_repeat();
  if (s_.scanning) emit_key(key, false);
  return true;
}

void Ps2Keyboard::arm_repeat(uint64_t from_ns, uint64_t after_ns) {
  s_.repeat_ns = from_ns + after_ns;
  clock_.arm(repeat_timer_, s_.repeat_ns);
}

void Ps2Keyboard::on_repeat() {
  const uint64_t due = s_.repeat_ns;  // repeats keep their cadence however late this runs
  s_.repeat_ns = machine::Clock::kNever;
  if (!s_.repeat_key || !s_.scanning) return;
  emit_key(s_.repeat_key, true);
  arm_repeat(due, typematic_period_ns(s_.typematic));
}

void Ps2Keyboard::serialize(Serializer& s) {
  for (uint8_t* b : {&s_.set, &s_.leds, &s_.typematic, &s_.arg_cmd, &s_.last_sent}) s.io(*b);
  s.io(s_.scanning);
  s.io(s_.repeat_key);
  s.io(s_.repeat_ns);
  s_.resp.serialize(s);
  s_.keys.serialize(s);
  if (!s.loading()) return;
  if (s_.set < 1 || s_.set > 3 || (s_.repeat_key && !known_key(s_.repeat_key)))
    throw std::runtime_error("ps2-keyboard: state is invalid");
  if (s_.repeat_ns != machine::Clock::kNever) clock_.arm(repeat_timer_, s_.repeat_ns);
  else clock_.cancel(repeat_timer_);
}

}  // namespace devices
