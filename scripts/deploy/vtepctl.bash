# bash completion for vtepctl: command words, then each command's options.
_vtepctl() {
    local cur=${COMP_WORDS[COMP_CWORD]} words=() w i
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        case $w in
            --socket) ((i++)) ;;
            -*) ;;
            *) words+=("$w") ;;
        esac
    done
    local opts="--json --socket --help"
    case "${words[*]}" in
        "") COMPREPLY=($(compgen -W "show clear config bridge member flood group static trace log --version $opts" -- "$cur")) ;;
        show) COMPREPLY=($(compgen -W "vtep bridges interfaces address-table arp routes neighbors igmp evpn fdb config counters metrics" -- "$cur")) ;;
        clear) COMPREPLY=($(compgen -W "counters address-table" -- "$cur")) ;;
        config) COMPREPLY=($(compgen -W "apply save diff reload" -- "$cur")) ;;
        "config apply"*|"config save"*|"config diff"*) COMPREPLY=($(compgen -f -- "$cur")) ;;
        bridge|member|flood|static) COMPREPLY=($(compgen -W "add del" -- "$cur")) ;;
        group) COMPREPLY=($(compgen -W "set" -- "$cur")) ;;
        log) COMPREPLY=($(compgen -W "level" -- "$cur")) ;;
        trace) COMPREPLY=($(compgen -W "start show stop" -- "$cur")) ;;
        "trace start"*) COMPREPLY=($(compgen -W "--port --count $opts" -- "$cur")) ;;
        "show address-table"*) COMPREPLY=($(compgen -W "--vni --mac --vlan --port --vtep --type $opts" -- "$cur")) ;;
        "show bridges"*) COMPREPLY=($(compgen -W "--vni --bridge $opts" -- "$cur")) ;;
        "show vtep"*) COMPREPLY=($(compgen -W "--vtep $opts" -- "$cur")) ;;
        "show interfaces") COMPREPLY=($(compgen -W "counters --port $opts" -- "$cur")) ;;
        "show interfaces"*) COMPREPLY=($(compgen -W "--port $opts" -- "$cur")) ;;
        "show arp"*|"clear address-table"*) COMPREPLY=($(compgen -W "--vni $opts" -- "$cur")) ;;
        "show counters"*) COMPREPLY=($(compgen -W "--clear $opts" -- "$cur")) ;;
        "bridge add"*) COMPREPLY=($(compgen -W "--vni --group --flood $opts" -- "$cur")) ;;
        "member "*) COMPREPLY=($(compgen -W "--vlan $opts" -- "$cur")) ;;
        "static add"*) COMPREPLY=($(compgen -W "--vtep --port --vlan $opts" -- "$cur")) ;;
        "log level"*) COMPREPLY=($(compgen -W "emergency alert critical error warning notice info debug" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
    esac
}
complete -F _vtepctl vtepctl
