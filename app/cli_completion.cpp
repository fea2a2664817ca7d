// `outrigger completion bash|zsh|fish`: completion scripts generated from
// the CLI11 app itself (subcommands, their options and the values some
// options take), so that they follow every option added.

#include "app/cli_commands.hpp"

#include <iostream>
#include <sstream>

namespace outrigger::app {

namespace {

const std::vector<std::string> shells{"bash", "zsh", "fish"};

/// One option as completion sees it.
struct option_view {
  std::vector<std::string> names; ///< "--api", "-o"
  std::string help;
  bool takes_value = false;
  bool file = false;              ///< complete file names
  std::vector<std::string> words; ///< fixed values, when known
};

/// A subcommand: its name, help, options and the values of its
/// positionals.
struct command_view {
  std::string name, help;
  std::vector<option_view> options;
  std::vector<std::string> positional_words;
};

// The first clause of a help text, short enough for a menu.
std::string short_help(std::string s) {
  for (auto stop : {";", " (", ": "})
    if (auto p = s.find(stop); p != std::string::npos)
      s = s.substr(0, p);
  if (s.size() > 60)
    s = s.substr(0, 57) + "...";
  return s;
}

std::vector<std::string> lowered_states() {
  return {"queued",  "launching",   "staging",  "starting", "running",
          "killing", "unreachable", "finished", "failed",   "killed",
          "error",   "lost",        "dropped",  "gone"};
}

std::vector<command_view> commands_of(const CLI::App& app) {
  std::vector<command_view> out;
  for (auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    command_view cv{
      sub->get_name(), short_help(sub->get_description()), {}, {}};
    for (auto* opt : sub->get_options()) {
      if (opt->get_positional()) {
        if (cv.name == "completion")
          cv.positional_words = shells;
        continue;
      }
      option_view ov;
      for (auto& l : opt->get_lnames())
        ov.names.push_back("--" + l);
      for (auto& s : opt->get_snames())
        ov.names.push_back("-" + s);
      ov.help = short_help(opt->get_description());
      ov.takes_value = opt->get_items_expected_max() > 0;
      for (auto& n : ov.names) {
        if (n.find("file") != std::string::npos)
          ov.file = true;
        if (n == "--output")
          ov.words = output_names();
        if (n == "--state")
          ov.words = lowered_states();
      }
      cv.options.push_back(std::move(ov));
    }
    out.push_back(std::move(cv));
  }
  return out;
}

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (auto& w : words)
    s += (s.empty() ? "" : " ") + w;
  return s;
}

std::string bash_script(const std::vector<command_view>& cmds) {
  std::ostringstream o;
  std::vector<std::string> names{"--help"};
  for (auto& c : cmds)
    names.push_back(c.name);
  o << "# bash completion for outrigger (outrigger completion bash)\n"
       "_outrigger() {\n"
       "  local cur prev cmd i opts\n"
       "  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
       "  prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
       "  cmd=\"\"\n"
       "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
       "    case \"${COMP_WORDS[i]}\" in\n"
       "      -*) ;;\n"
       "      *) cmd=\"${COMP_WORDS[i]}\"; break ;;\n"
       "    esac\n"
       "  done\n"
       "  if [[ -z \"$cmd\" ]]; then\n"
       "    COMPREPLY=($(compgen -W \""
    << join(names)
    << "\" -- \"$cur\"))\n"
       "    return 0\n"
       "  fi\n"
       "  case \"$cmd\" in\n";
  for (auto& c : cmds) {
    std::vector<std::string> all;
    std::ostringstream values;
    for (auto& opt : c.options) {
      all.insert(all.end(), opt.names.begin(), opt.names.end());
      if (!opt.takes_value)
        continue;
      std::string pattern;
      for (auto& n : opt.names)
        pattern += (pattern.empty() ? "" : "|") + n;
      if (!opt.words.empty())
        values << "        " << pattern << ") COMPREPLY=($(compgen -W \""
               << join(opt.words) << "\" -- \"$cur\")); return 0 ;;\n";
      else if (opt.file)
        values << "        " << pattern
               << ") COMPREPLY=($(compgen -f -- \"$cur\")); return 0 ;;\n";
      else
        values << "        " << pattern << ") return 0 ;;\n";
    }
    auto words = all;
    words.insert(words.end(), c.positional_words.begin(),
                 c.positional_words.end());
    o << "    " << c.name << ")\n"
      << "      case \"$prev\" in\n"
      << values.str() << "      esac\n"
      << "      opts=\"" << join(words) << "\" ;;\n";
  }
  o << "    *) opts=\"\" ;;\n"
       "  esac\n"
       "  COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
       "}\n"
       "complete -F _outrigger outrigger\n";
  return o.str();
}

// Escapes text for a zsh _arguments spec inside single quotes.
std::string zsh_text(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\'')
      out += "'\\''";
    else if (ch == '[' || ch == ']' || ch == ':')
      out += std::string{"\\"} + ch;
    else
      out += ch;
  }
  return out;
}

std::string zsh_script(const std::vector<command_view>& cmds) {
  std::ostringstream o;
  o << "#compdef outrigger\n"
       "# zsh completion for outrigger (outrigger completion zsh)\n"
       "_outrigger() {\n"
       "  local -a commands\n"
       "  commands=(\n";
  for (auto& c : cmds)
    o << "    '" << c.name << ":" << zsh_text(c.help) << "'\n";
  o << "  )\n"
       "  if (( CURRENT == 2 )); then\n"
       "    _describe 'command' commands\n"
       "    return\n"
       "  fi\n"
       "  local cmd=\"${words[2]}\"\n"
       "  shift words\n"
       "  (( CURRENT-- ))\n"
       "  case \"$cmd\" in\n";
  for (auto& c : cmds) {
    o << "    " << c.name << ")\n      _arguments";
    for (auto& opt : c.options)
      for (auto& n : opt.names) {
        o << " \\\n        '" << n << "[" << zsh_text(opt.help) << "]";
        if (opt.takes_value) {
          o << ":value:";
          if (!opt.words.empty())
            o << "(" << join(opt.words) << ")";
          else if (opt.file)
            o << "_files";
        }
        o << "'";
      }
    if (!c.positional_words.empty())
      o << " \\\n        '1:shell:(" << join(c.positional_words) << ")'";
    o << " ;;\n";
  }
  o << "  esac\n"
       "}\n"
       "if [[ \"${funcstack[1]}\" == \"_outrigger\" ]]; then\n"
       "  _outrigger \"$@\"\n"
       "else\n"
       "  compdef _outrigger outrigger\n"
       "fi\n";
  return o.str();
}

std::string fish_text(const std::string& s) {
  std::string out;
  for (char ch : s)
    out += ch == '\'' ? std::string{"\\'"} : std::string{ch};
  return out;
}

std::string fish_script(const std::vector<command_view>& cmds) {
  std::ostringstream o;
  o << "# fish completion for outrigger (outrigger completion fish)\n"
       "complete -c outrigger -f\n";
  for (auto& c : cmds)
    o << "complete -c outrigger -n __fish_use_subcommand -a " << c.name
      << " -d '" << fish_text(c.help) << "'\n";
  for (auto& c : cmds) {
    auto when = "-n '__fish_seen_subcommand_from " + c.name + "'";
    for (auto& opt : c.options) {
      o << "complete -c outrigger " << when;
      for (auto& n : opt.names)
        o << (n.rfind("--", 0) == 0 ? " -l " + n.substr(2)
                                    : " -s " + n.substr(1));
      if (!opt.words.empty())
        o << " -x -a '" << join(opt.words) << "'";
      else if (opt.file)
        o << " -r -F";
      else if (opt.takes_value)
        o << " -x";
      o << " -d '" << fish_text(opt.help) << "'\n";
    }
    if (!c.positional_words.empty())
      o << "complete -c outrigger " << when << " -a '"
        << join(c.positional_words) << "'\n";
  }
  return o.str();
}

} // namespace

std::string completion_script(const CLI::App& app, const std::string& shell) {
  auto cmds = commands_of(app);
  if (shell == "bash")
    return bash_script(cmds);
  if (shell == "zsh")
    return zsh_script(cmds);
  if (shell == "fish")
    return fish_script(cmds);
  return {};
}

void add_completion_command(CLI::App& app, std::function<int()>& run) {
  auto cmd =
    app.add_subcommand("completion", "print a shell completion script: "
                                     "source <(outrigger completion bash)");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "bash, zsh or fish")
    ->required()
    ->check(CLI::IsMember(shells));
  const CLI::App* root = &app;
  cmd->callback([&run, shell, root] {
    run = [shell, root] {
      std::cout << completion_script(*root, *shell);
      return 0;
    };
  });
}

} // namespace outrigger::app
