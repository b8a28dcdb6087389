#!/bin/zsh -f
# zcomplete.zsh DIR 'command line': prints, one a line, the words zsh's
# completion system offers at the end of the line, with the completion
# functions of DIR first in $fpath. Drives a real interactive zsh through
# zsh/zpty: compinit, then TAB, with compadd wrapped to print its matches.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath)"
zpty -w z 'autoload -U compinit; compinit -u -D'
zpty -w z 'bindkey "^I" complete-word'
zpty -w z 'null-line () { echo -E - $'"'"'\0'"'"' }'
zpty -w z 'compprefuncs=( null-line ); comppostfuncs=( null-line exit )'
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  (( $#__hits )) || return 1
  local h; for h in $__hits; do echo -E - "HIT:$h"; done
}'
zpty -w z "$2"$'\t'
integer seen=0
while zpty -r z; do :; done | while IFS= read -r line; do
  if [[ $line == *$'\0\r' ]]; then (( seen++ )) && break || continue; fi
  (( seen )) && [[ $line == HIT:* ]] && print -r -- "${${line#HIT:}%$'\r'}"
done
zpty -d z
