// The framing of the gdb remote serial protocol (gdb manual, "Overview" of the remote
// protocol): $payload#cc with cc the payload's byte sum modulo 256 in two hex digits, + and -
// acknowledgements, and a lone 03h byte for an interrupt (Ctrl-C). Nothing here knows what a
// packet means.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace frontend::gdb {

// The largest packet accepted; qSupported announces it (PacketSize, in hex).
constexpr size_t kMaxPacket = 0x4000;

struct Received {
  enum class Kind {
    Packet,     // a whole packet with a good checksum: `payload`
    Corrupt,    // a packet with a bad checksum, bad checksum digits or too long (answer '-')
    Interrupt,  // 03h outside a packet
    Ack,        // '+'
    Nack,       // '-': send the last packet again
  } kind;
  std::string payload;
};

// Cuts a byte stream into packets; bytes between packets other than those above are ignored,
// as gdb's own stubs do.
class PacketReader {
 public:
  void feed(std::string_view bytes, std::vector<Received>& out);

 private:
  enum class State { Idle, Body, Sum1, Sum2 } state_ = State::Idle;
  std::string body_;
  uint8_t sum_ = 0;
  int sum_hi_ = 0;
  bool too_long_ = false;
};

// $payload#cc, with '#', '$', '}' and '*' escaped as '}' followed by the byte XOR 20h.
std::string frame(std::string_view payload);

// Hex helpers shared by the commands: lower-case digits, two per byte.
std::string to_hex(const uint8_t* bytes, size_t len);
std::string to_hex(std::string_view text);
// False on an odd length or a character that is no hex digit.
bool from_hex(std::string_view hex, std::vector<uint8_t>& out);
int hex_digit(char c);

}  // namespace frontend::gdb
