# Shared by the benchmark scripts (source it): medians of CPU time and peak
# RSS. Needs $runs (how many runs) and $w (a scratch directory).

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
# big "CMD...": prints "CPU_ms RSS_MiB", medians of $runs, via /usr/bin/time -v
# (a shell's waited-for children count, so a pipeline in `sh -c` works).
big() {
  local cpu="" rss=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$w/t" "$@" >/dev/null 2>&1 || true
    cpu+="$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{printf "%d", (u+s)*1000}' "$w/t") "
    rss+="$(awk -F': ' '/Maximum resident/{printf "%.1f", $2/1024}' "$w/t") "
  done
  echo "$(tr ' ' '\n' <<<"$cpu" | grep . | median) $(tr ' ' '\n' <<<"$rss" | grep . | median)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2fx", a/b; else print "-" }'; }
