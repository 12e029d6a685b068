// zlib from Debian's zlib1g-dev, for permessage-deflate in the reference server (Reference/Server/Deflate).
#include <zlib.h>
