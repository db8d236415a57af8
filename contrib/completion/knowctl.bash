# bash completion for knowctl(1) — subcommands, their options and option values.
# Installed as $(PREFIX)/share/bash-completion/completions/knowctl.

_knowctl()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="id new publish retract erase list search reindex export show log verify
		status peers peer trust pending admit deny invite vouch unvouch contact backup user audit profile help"
	local common="--home --json -h --help"
	local filters="--field --status --hurdle --tag --since"

	# Option values.
	case $prev in
	--home)
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	--field)
		COMPREPLY=($(compgen -W "strategie-organisation verwaltung mobilitaet
			energie-umwelt bildung gesundheit-pflege wirtschaft-handel
			teilhabe-gesellschaft wohnen-quartier sicherheit-resilienz
			daten-infrastruktur kultur-tourismus" -- "$cur"))
		return
		;;
	--status)
		COMPREPLY=($(compgen -W "idee planung umsetzung regelbetrieb beendet" -- "$cur"))
		return
		;;
	--hurdle)
		COMPREPLY=($(compgen -W "finanziell organisatorisch technisch sozial rechtlich" -- "$cur"))
		return
		;;
	--format)
		COMPREPLY=($(compgen -W "json csv atom dcat" -- "$cur"))
		return
		;;
	--output)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--role)
		COMPREPLY=($(compgen -W "author reviewer admin" -- "$cur"))
		return
		;;
	--node | --project | --tag | --since | --limit | --name | --ags | --unit | \
	--expires | --addr | --commit | --website | --region | --description)
		return
		;;
	esac

	# The subcommand: the first word after the global options.
	local i cmd="" cmdi=0
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--home) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; cmdi=$i; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$common" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	local opts="$common"
	case $cmd in
	list)	opts="$common --node --project --kind $filters" ;;
	search)	opts="$common --node --project --kind $filters --limit" ;;
	show | contact)	opts="$common --node" ;;
	erase)	opts="$common --commit" ;;
	log)	opts="$common --node --limit" ;;
	trust)	opts="$common --name" ;;
	vouch)	opts="$common --name --ags" ;;
	unvouch) opts="$common --yes" ;;
	invite)	opts="$common --name --ags --expires --addr" ;;
	backup)	opts="$common --with-key" ;;
	status)	opts="$common --branches" ;;
	export)	opts="$common --format --output" ;;
	publish) opts="$common --force" ;;
	user)	opts="$common --role --unit" ;;
	audit)	opts="$common --limit" ;;
	profile) opts="$common --name --website --region --ags --description" ;;
	esac

	if [[ $prev == --kind ]]; then
		if [[ $cmd == search ]]; then
			COMPREPLY=($(compgen -W "lesson project" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "lesson project node vouch" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi

	# Positional arguments.
	local nargs=0
	for ((i = cmdi + 1; i < cword; i++)); do
		case ${words[i]} in
		--home | --node | --project | --kind | --field | --status | \
		--hurdle | --tag | --since | --limit | --name | --ags | --format | \
		--output | --role | --unit | --expires | --addr | --commit | --website | \
		--region | --description) ((i++)) ;;
		-*) ;;
		*) ((nargs++)) ;;
		esac
	done
	case $cmd in
	publish | backup)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	peer)
		[[ $nargs -eq 0 ]] && COMPREPLY=($(compgen -W "add remove" -- "$cur"))
		;;
	invite)
		[[ $nargs -eq 0 ]] && COMPREPLY=($(compgen -W "list revoke" -- "$cur"))
		;;
	profile)
		[[ $nargs -eq 0 ]] && COMPREPLY=($(compgen -W "set" -- "$cur"))
		;;
	trust)
		[[ $nargs -eq 0 ]] && COMPREPLY=($(compgen -W "add remove list" -- "$cur"))
		;;
	user)
		[[ $nargs -eq 0 ]] && COMPREPLY=($(compgen -W "add list remove passwd" -- "$cur"))
		;;
	contact)
		if [[ $nargs -eq 0 ]]; then
			COMPREPLY=($(compgen -W "set show clear" -- "$cur"))
		elif [[ $nargs -eq 2 && ${words[cmdi + 1]} == set ]]; then
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	esac
} &&
	complete -F _knowctl knowctl
