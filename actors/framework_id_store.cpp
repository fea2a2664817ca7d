#include "actors/framework_id_store.hpp"

#include "actors/error.hpp"
#include "actors/log.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace outrigger {

namespace {

caf::error io_error(const std::string& what, const std::string& path) {
  return caf::make_error(ec::store_failed,
                         what + " '" + path + "': " + std::strerror(errno));
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// fsync of the directory makes a rename or unlink durable.
caf::error sync_dir(const std::string& path) {
  auto dir = dir_of(path);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return io_error("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    return io_error("cannot fsync directory", dir);
  return {};
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 512)
    return false;
  for (unsigned char c : id)
    if (c <= 0x20 || c >= 0x7f)
      return false;
  return true;
}

} // namespace

caf::expected<std::string> framework_id_file::load() const {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return std::string{};
    return io_error("cannot open framework id file", path_);
  }
  std::string text;
  char buf[1024];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      auto err = io_error("cannot read framework id file", path_);
      ::close(fd);
      return err;
    }
    if (n == 0)
      break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 4096)
      break;
  }
  ::close(fd);
  while (!text.empty() &&
         (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (text.empty())
    return std::string{};
  if (!valid_id(text))
    return caf::make_error(ec::store_failed,
                           "framework id file '" + path_ + "' is corrupt");
  return text;
}

caf::error framework_id_file::store(const std::string& id) const {
  if (!valid_id(id))
    return caf::make_error(ec::store_failed,
                           "refusing to store a malformed framework id");
  auto tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return io_error("cannot create", tmp);
  auto text = id + "\n";
  size_t done = 0;
  while (done < text.size()) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      auto err = io_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return err;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto err = io_error("cannot fsync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return err;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    auto err = io_error("cannot rename into", path_);
    ::unlink(tmp.c_str());
    return err;
  }
  return sync_dir(path_);
}

caf::error framework_id_file::erase() const {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
    return io_error("cannot remove framework id file", path_);
  return sync_dir(path_);
}

namespace {

struct file_store_state {
  static inline const char* name = "framework_id_file";
  std::unique_ptr<framework_id_file> file;
};

framework_id_store_actor::behavior_type
file_store(framework_id_store_actor::stateful_pointer<file_store_state> self,
           std::string path) {
  self->state.file = std::make_unique<framework_id_file>(std::move(path));
  return {
    [=](atom::load) -> caf::result<std::string> {
      auto id = self->state.file->load();
      if (!id)
        return id.error();
      return std::move(*id);
    },
    [=](atom::store, const std::string& id) -> caf::result<void> {
      if (auto err = self->state.file->store(id)) {
        log::error("framework_id_store", "cannot store the framework id",
                   {{"error", err}});
        return err;
      }
      return caf::unit;
    },
    [=](atom::erase) -> caf::result<void> {
      if (auto err = self->state.file->erase()) {
        log::error("framework_id_store", "cannot erase the framework id",
                   {{"error", err}});
        return err;
      }
      return caf::unit;
    },
  };
}

struct memory_store_state {
  static inline const char* name = "framework_id_memory";
  std::shared_ptr<memory_id_store_data> data;
};

framework_id_store_actor::behavior_type memory_store(
  framework_id_store_actor::stateful_pointer<memory_store_state> self,
  std::shared_ptr<memory_id_store_data> data) {
  self->state.data = std::move(data);
  return {
    [=](atom::load) -> caf::result<std::string> {
      auto& d = *self->state.data;
      std::lock_guard guard{d.mtx};
      d.ops.emplace_back("load");
      if (d.fail_loads)
        return caf::make_error(ec::store_failed, "load failed (test)");
      return d.id;
    },
    [=](atom::store, const std::string& id) -> caf::result<void> {
      auto& d = *self->state.data;
      std::lock_guard guard{d.mtx};
      d.ops.emplace_back("store:" + id);
      if (d.fail_writes)
        return caf::make_error(ec::store_failed, "store failed (test)");
      d.id = id;
      return caf::unit;
    },
    [=](atom::erase) -> caf::result<void> {
      auto& d = *self->state.data;
      std::lock_guard guard{d.mtx};
      d.ops.emplace_back("erase");
      if (d.fail_writes)
        return caf::make_error(ec::store_failed, "erase failed (test)");
      d.id.clear();
      return caf::unit;
    },
  };
}

} // namespace

framework_id_store_actor spawn_file_id_store(caf::actor_system& sys,
                                             std::string path) {
  return sys.spawn<caf::detached>(file_store, std::move(path));
}

framework_id_store_actor
spawn_memory_id_store(caf::actor_system& sys,
                      std::shared_ptr<memory_id_store_data> data) {
  return sys.spawn(memory_store, std::move(data));
}

} // namespace outrigger
