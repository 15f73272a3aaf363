#include "evpn/neigh.h"

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

namespace vtepgw::evpn {

namespace {

// Attributes of one message: [at, end) holds rtattrs; a malformed one makes the whole
// message malformed.
bool readAttributes(const uint8_t* at, const uint8_t* end, Neigh& n) {
    while (end - at >= static_cast<ptrdiff_t>(sizeof(rtattr))) {
        rtattr a;
        std::memcpy(&a, at, sizeof a);
        if (a.rta_len < sizeof(rtattr) || a.rta_len > end - at) return false;
        const uint8_t* data = at + RTA_LENGTH(0);
        const size_t dataLen = a.rta_len - RTA_LENGTH(0);
        switch (a.rta_type & NLA_TYPE_MASK) {
            case NDA_LLADDR:
                if (dataLen == 6) {
                    netaddr::MacAddress m;
                    std::memcpy(m.bytes.data(), data, 6);
                    n.mac = m;
                }
                break;
            case NDA_DST:
                if (dataLen == 4) {
                    uint32_t be;
                    std::memcpy(&be, data, 4);
                    n.dst = netaddr::Ipv4Address::fromNetwork(be);
                }
                break;
            case NDA_MASTER:
                if (dataLen == 4) std::memcpy(&n.master, data, 4);
                break;
            default: break;
        }
        const size_t step = RTA_ALIGN(static_cast<size_t>(a.rta_len));
        if (step >= static_cast<size_t>(end - at)) break;
        at += step;
    }
    return true;
}

}  // namespace

NeighBatch parseNeighMessages(const void* buf, size_t len) {
    NeighBatch b;
    const auto* p = static_cast<const uint8_t*>(buf);
    size_t at = 0;
    while (len - at >= sizeof(nlmsghdr)) {
        nlmsghdr h;
        std::memcpy(&h, p + at, sizeof h);
        if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > len - at) {
            ++b.malformed;
            break;
        }
        if (h.nlmsg_type == NLMSG_DONE) {
            b.done = true;
        } else if (h.nlmsg_type == NLMSG_ERROR) {
            if (h.nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr))) {
                nlmsgerr e;
                std::memcpy(&e, p + at + NLMSG_HDRLEN, sizeof e);
                if (e.error < 0 && e.error >= -4095) b.error = -e.error;
            }
        } else if (h.nlmsg_type == RTM_NEWNEIGH || h.nlmsg_type == RTM_DELNEIGH) {
            if (h.nlmsg_len < NLMSG_LENGTH(sizeof(ndmsg))) {
                ++b.malformed;
            } else {
                ndmsg nd;
                std::memcpy(&nd, p + at + NLMSG_HDRLEN, sizeof nd);
                Neigh n;
                n.deleted = h.nlmsg_type == RTM_DELNEIGH;
                n.family = nd.ndm_family;
                n.ifindex = nd.ndm_ifindex > 0 ? static_cast<uint32_t>(nd.ndm_ifindex) : 0;
                n.state = nd.ndm_state;
                n.flags = nd.ndm_flags;
                const uint8_t* attrs = p + at + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ndmsg));
                const uint8_t* end = p + at + h.nlmsg_len;
                if (attrs > end || !readAttributes(attrs, end, n)) ++b.malformed;
                else b.neighs.push_back(n);
            }
        }
        const size_t step = NLMSG_ALIGN(static_cast<size_t>(h.nlmsg_len));
        if (step > len - at) break;
        at += step;
    }
    return b;
}

size_t buildLocalMac(void* buf, bool add, uint32_t portIfindex, const netaddr::MacAddress& mac) {
    std::memset(buf, 0, 256);  // attribute padding included: the same request, byte for byte
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
    auto* nd = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
    nd->ndm_family = AF_BRIDGE;
    nd->ndm_ifindex = static_cast<int>(portIfindex);
    nd->ndm_state = NUD_REACHABLE;
    nd->ndm_flags = NTF_MASTER | NTF_EXT_LEARNED;
    mnl_attr_put(nlh, NDA_LLADDR, 6, mac.bytes.data());
    return nlh->nlmsg_len;
}

size_t buildFdbDump(void* buf) {
    std::memset(buf, 0, 256);
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETNEIGH;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    auto* nd = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
    nd->ndm_family = AF_BRIDGE;
    return nlh->nlmsg_len;
}

}  // namespace vtepgw::evpn
