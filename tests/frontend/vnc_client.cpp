// A VNC viewer for the tests, built on libvncclient (another implementation of RFB than the
// server's library, the same one other viewers use). Usage:
//   ghost86_vnc_client [--password PASSWORD] ADDRESS COMMAND...
// ADDRESS: a Unix socket path, or HOST:PORT; PASSWORD answers VNC authentication. Commands, run
// in order on one connection:
//   info         prints "WIDTHxHEIGHT NAME" from the server's greeting
//   dump FILE    waits for a whole picture and writes it as a binary PPM (P6)
//   type TEXT    presses and releases the key for each character (\n: Return), 50 ms apart,
//                then waits for a picture: the server has taken every key by then
//   pointer X Y MASK  sends one pointer event (RFB button mask)
// Exits 0 on success, 1 with one line on stderr otherwise.
#include <rfb/keysym.h>
#include <rfb/rfbclient.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

// What the updates brought: the area of the rectangles in the one being received, and whether a
// whole picture has arrived (the server also sends updates without rectangles, e.g. its name).
struct Progress {
  long area = 0;
  bool whole = false;
};
char kProgressTag;  // the tag libvncclient keeps it under

Progress& progress(rfbClient* c) {
  return *static_cast<Progress*>(rfbClientGetClientData(c, &kProgressTag));
}

void quiet(const char*, ...) {}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "vnc_client: %s\n", why.c_str());
  std::exit(1);
}

// Processes server messages until a framebuffer update requested now has arrived whole.
void fetch_picture(rfbClient* c) {
  progress(c) = {};
  if (!SendFramebufferUpdateRequest(c, 0, 0, c->width, c->height, FALSE))
    die("cannot request a picture");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!progress(c).whole) {
    if (std::chrono::steady_clock::now() > deadline) die("no picture within 30 s");
    const int n = WaitForMessage(c, 100'000);
    if (n < 0) die("connection lost");
    if (n > 0 && !HandleRFBServerMessage(c)) die("bad server message");
  }
}

void write_ppm(rfbClient* c, const char* path) {
  std::FILE* f = std::fopen(path, "wb");
  if (!f) die(std::string("cannot write ") + path);
  std::fprintf(f, "P6\n%d %d\n255\n", c->width, c->height);
  const rfbPixelFormat& pf = c->format;
  for (int i = 0; i < c->width * c->height; i++) {
    uint32_t p;
    std::memcpy(&p, c->frameBuffer + size_t(i) * 4, 4);
    const unsigned char rgb[3] = {uint8_t((p >> pf.redShift) & pf.redMax),
                                  uint8_t((p >> pf.greenShift) & pf.greenMax),
                                  uint8_t((p >> pf.blueShift) & pf.blueMax)};
    std::fwrite(rgb, 1, 3, f);
  }
  if (std::fclose(f) != 0) die(std::string("cannot write ") + path);
}

uint32_t keysym_for(char ch) {
  if (ch == '\n') return XK_Return;
  return uint32_t(uint8_t(ch));  // printable ASCII keysyms are the characters
}

// Handles the server's messages for `ms` milliseconds: a viewer that stops reading could make the
// server wait for its socket.
void pump(rfbClient* c, int ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (auto now = std::chrono::steady_clock::now(); now < end;
       now = std::chrono::steady_clock::now()) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(end - now).count();
    const int n = WaitForMessage(c, unsigned(left));
    if (n < 0) die("connection lost");
    if (n > 0 && !HandleRFBServerMessage(c)) die("bad server message");
  }
}

void type(rfbClient* c, const std::string& text) {
  for (const char ch : text) {
    const uint32_t sym = keysym_for(ch);
    if (!SendKeyEvent(c, sym, TRUE) || !SendKeyEvent(c, sym, FALSE)) die("cannot send a key");
    pump(c, 50);
  }
  // The server answers messages in order: once this picture arrives it has taken every key.
  fetch_picture(c);
}

std::string password;  // --password: read once by the callback below

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--password") {
    password = argv[2];
    argv += 2;
    argc -= 2;
  }
  if (argc < 3) die("usage: vnc_client [--password PASSWORD] ADDRESS COMMAND...");
  rfbClientLog = quiet;
  rfbClientErr = quiet;
  rfbClient* c = rfbGetClient(8, 3, 4);
  c->GetPassword = [](rfbClient*) { return strdup(password.c_str()); };  // freed by the library
  Progress updates;
  rfbClientSetClientData(c, &kProgressTag, &updates);
  c->GotFrameBufferUpdate = [](rfbClient* cl, int, int, int w, int h) {
    progress(cl).area += long(w) * h;
  };
  // The rectangles of one update do not overlap (RFC 6143 section 7.6.1): they cover the
  // requested screen when their areas add up to it.
  c->FinishedFrameBufferUpdate = [](rfbClient* cl) {
    Progress& p = progress(cl);
    if (p.area >= long(cl->width) * cl->height) p.whole = true;
    p.area = 0;
  };
  const std::string address = argv[1];
  const size_t colon = address.rfind(':');
  std::free(c->serverHost);  // the default rfbGetClient made
  if (address.find('/') != std::string::npos || colon == std::string::npos) {
    c->serverHost = strdup(address.c_str());  // libvncclient connects to a socket file by its path
  } else {
    c->serverHost = strdup(address.substr(0, colon).c_str());
    c->serverPort = std::atoi(address.c_str() + colon + 1);
  }
  if (!rfbInitClient(c, nullptr, nullptr)) die("cannot connect to " + address);  // frees c
  for (int i = 2; i < argc; i++) {
    const std::string cmd = argv[i];
    if (cmd == "info") {
      std::printf("%dx%d %s\n", c->width, c->height, c->desktopName ? c->desktopName : "");
    } else if (cmd == "dump" && i + 1 < argc) {
      fetch_picture(c);
      write_ppm(c, argv[++i]);
    } else if (cmd == "type" && i + 1 < argc) {
      type(c, argv[++i]);
    } else if (cmd == "pointer" && i + 3 < argc) {
      if (!SendPointerEvent(c, std::atoi(argv[i + 1]), std::atoi(argv[i + 2]),
                            std::atoi(argv[i + 3])))
        die("cannot send a pointer event");
      i += 3;
    } else {
      die("unknown command '" + cmd + "'");
    }
  }
  std::fflush(stdout);
  std::free(c->frameBuffer);  // the default allocation; cleanup leaves it to the client
  c->frameBuffer = nullptr;
  rfbClientCleanup(c);
  return 0;
}
