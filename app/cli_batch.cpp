// `outrigger submit --file tasks.ndjson`: many specs read, checked and sent
// in batches, each task answered on its own line.

#include "app/cli_support.hpp"

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace outrigger::app {

std::vector<nlohmann::json> specs_of_file(const submit_settings& s,
                                          std::istream& stdin_stream) {
  std::ifstream file;
  auto* in = &stdin_stream;
  if (s.file != "-") {
    file.open(s.file);
    if (!file)
      throw std::invalid_argument("--file: cannot read " + s.file);
    in = &file;
  }
  std::ostringstream all;
  all << in->rdbuf();
  auto text = all.str();
  auto where = s.file == "-" ? std::string{"stdin"} : s.file;
  std::vector<nlohmann::json> specs;
  // One object, perhaps spread over lines (a spec written by hand).
  auto whole = nlohmann::json::parse(text, nullptr, false);
  if (!whole.is_discarded() && whole.is_object()) {
    specs.push_back(patched_spec(std::move(whole), s));
    return specs;
  }
  std::istringstream lines{text};
  std::string line;
  for (std::size_t n = 1; std::getline(lines, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    auto spec = nlohmann::json::parse(line, nullptr, false);
    auto at = "--file: " + where + " line " + std::to_string(n) + ": ";
    if (spec.is_discarded() || !spec.is_object())
      throw std::invalid_argument(at + "not a JSON object (one task spec "
                                       "per line)");
    try {
      specs.push_back(patched_spec(std::move(spec), s));
    } catch (const std::exception& e) {
      throw std::invalid_argument(at + e.what());
    }
  }
  if (specs.empty())
    throw std::invalid_argument("--file: " + where + " holds no task spec");
  return specs;
}

int submit_batches(const client_settings& c,
                   const std::vector<nlohmann::json>& specs,
                   std::size_t batch) {
  int code = 0;
  batch = std::max<std::size_t>(batch, 1);
  for (std::size_t first = 0; first < specs.size(); first += batch) {
    auto last = std::min(specs.size(), first + batch);
    nlohmann::json body{
      {"tasks", std::vector<nlohmann::json>(specs.begin() + first,
                                            specs.begin() + last)}};
    int status = 0;
    auto reply = call(c, "POST", "/v1/tasks", body.dump(), status);
    if (!reply) {
      std::cerr << "outrigger: tasks " << first + 1 << " to " << specs.size()
                << " of the file were not submitted\n";
      return status;
    }
    auto& items = (*reply)["tasks"];
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto& item = items[i];
      if (item.contains("task")) {
        auto& task = item["task"];
        if (c.output == "ids")
          std::cout << task.value("id", 0) << "\n";
        else if (c.brief || c.output == "brief")
          std::cout << task_line(task) << "\n";
        else // one JSON document a line (NDJSON), whatever -o says
          std::cout << task.dump() << "\n";
        continue;
      }
      code = 1;
      auto message = item["error"].value("message", "");
      // The server names the item in its batch; the user knows the line.
      auto bracket = message.find("]");
      if (message.starts_with("tasks[") && bracket != std::string::npos)
        message = message.substr(bracket + 1);
      if (message.starts_with("."))
        message = message.substr(1);
      else if (message.starts_with(": "))
        message = message.substr(2);
      std::cerr << "outrigger: task " << first + i + 1 << " ("
                << specs[first + i].value("key", "")
                << "): " << item["error"].value("code", "") << ": " << message
                << "\n";
    }
  }
  return code;
}

} // namespace outrigger::app
