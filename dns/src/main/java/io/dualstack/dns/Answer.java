package io.dualstack.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

import java.util.List;
import java.util.Optional;

/**
 * What the zone answers to one question: the rcode, the three record sections and the zone that
 * matched (empty when the name is outside every served zone). Record owner names already carry
 * the question's case.
 */
public record Answer(int rcode, List<Record> answer, List<Record> authority, List<Record> additional,
                     Optional<Name> zone) {

    public Answer {
        answer = List.copyOf(answer);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    /** The kinds of answers users tell apart. */
    public enum Kind { ANSWER, NODATA, NXDOMAIN, REFUSED, OTHER }

    public Kind kind() {
        if (rcode == Rcode.NOERROR) return answer.isEmpty() ? Kind.NODATA : Kind.ANSWER;
        if (rcode == Rcode.NXDOMAIN) return Kind.NXDOMAIN;
        if (rcode == Rcode.REFUSED) return Kind.REFUSED;
        return Kind.OTHER;
    }

    static Answer refused() {
        return new Answer(Rcode.REFUSED, List.of(), List.of(), List.of(), Optional.empty());
    }
}
