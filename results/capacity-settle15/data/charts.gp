set terminal pngcairo size 900,500 font 'sans,10'
set grid
reset
set terminal pngcairo size 900,500 font 'sans,10'
set grid
set key outside right top
set output 'capacity.png'
set title "Memory per held connection (references hatched)"
set xlabel ""
set ylabel "bytes per connection"
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics ("c-h2o-1" 0, "c-libevent-1" 1) rotate by -30 left
set xrange [-0.6:1.6]
set yrange [0:*]
set bmargin 7
plot "data/capacity.dat" using 1:($2==0?$5:1/0) with boxes lc rgb '#5aa05a' title "kernel TCP (both ends)", "data/capacity.dat" using 1:($2==1?$5:1/0) with boxes lc rgb '#5aa05a' fs pattern 4 notitle, "data/capacity.dat" using 1:($2==0?$4:1/0) with boxes lc rgb '#e08a2c' title "kernel slab (both ends)", "data/capacity.dat" using 1:($2==1?$4:1/0) with boxes lc rgb '#e08a2c' fs pattern 4 notitle, "data/capacity.dat" using 1:($2==0?$3:1/0) with boxes lc rgb '#3b78c2' title "server (user, PSS)", "data/capacity.dat" using 1:($2==1?$3:1/0) with boxes lc rgb '#3b78c2' fs pattern 4 notitle
