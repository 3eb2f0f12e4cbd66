/* conformance-report OUT.md RESULTS.json... */
#include "report.h"

int main(int argc, char **argv)
{
    return report_main(argc, argv);
}
