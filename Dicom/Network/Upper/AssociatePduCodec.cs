using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Mirc.Dicom.Network.Upper;

/// <summary>Encodes and decodes A-ASSOCIATE-RQ / AC / RJ, A-RELEASE and A-ABORT PDUs (PS3.8 §9.3, PS3.7 Annex D).</summary>
internal static class AssociatePduCodec
{
    private const int FixedHeaderLength = 68; // protocol version, reserved, called AE, calling AE, 32 reserved

    public static byte[] EncodeRequest(AssociationRequest rq, uint ourMaxPdu, UserIdentity? identity)
    {
        var w = new ArrayBufferWriter<byte>(1024);
        WriteFixedHeader(w, PduType.AssociateRequest, rq.CalledAe, rq.CallingAe);
        WriteUidItem(w, ItemType.ApplicationContext, DicomUids.DICOMApplicationContext);
        foreach (var pc in rq.PresentationContexts)
        {
            var start = BeginItem(w, ItemType.PresentationContextRequest);
            Put(w, [pc.Id, 0, 0, 0]);
            WriteUidItem(w, ItemType.AbstractSyntax, pc.AbstractSyntax);
            foreach (var ts in pc.TransferSyntaxes) WriteUidItem(w, ItemType.TransferSyntax, ts);
            EndItem(w, start);
        }
        var ui = BeginItem(w, ItemType.UserInformation);
        WriteMaxLength(w, ourMaxPdu);
        WriteUidItem(w, ItemType.ImplementationClassUid, DicomUids.ImplementationClassUid);
        foreach (var pc in rq.PresentationContexts)
        {
            if (pc.RequestorScuRole is null && pc.RequestorScpRole is null) continue;
            WriteRoleSelection(w, pc.AbstractSyntax, pc.RequestorScuRole ?? false, pc.RequestorScpRole ?? false);
        }
        WriteAsciiItem(w, ItemType.ImplementationVersionName, DicomUids.ImplementationVersionName);
        if (identity is not null)
        {
            var uid = BeginItem(w, ItemType.UserIdentityRequest);
            Put(w, [(byte)identity.Type, identity.PositiveResponseRequested ? (byte)1 : (byte)0]);
            WriteLengthPrefixed(w, Encoding.UTF8.GetBytes(identity.PrimaryField));
            WriteLengthPrefixed(w, Encoding.UTF8.GetBytes(identity.SecondaryField));
            EndItem(w, uid);
        }
        EndItem(w, ui);
        return FinishPdu(w);
    }

    public static byte[] EncodeAccept(AssociationAccept ac, IReadOnlyList<PresentationContextProposal> proposals)
    {
        var w = new ArrayBufferWriter<byte>(512);
        WriteFixedHeader(w, PduType.AssociateAccept, ac.CalledAe, ac.CallingAe);
        WriteUidItem(w, ItemType.ApplicationContext, DicomUids.DICOMApplicationContext);
        foreach (var pc in ac.PresentationContexts)
        {
            var start = BeginItem(w, ItemType.PresentationContextAccept);
            Put(w, [pc.Id, 0, (byte)pc.Result, 0]);
            // A rejected context still carries one transfer syntax sub-item, whose value is not significant.
            WriteUidItem(w, ItemType.TransferSyntax, pc.IsAccepted ? pc.TransferSyntax : DicomUids.ImplicitVRLittleEndian);
            EndItem(w, start);
        }
        var ui = BeginItem(w, ItemType.UserInformation);
        WriteMaxLength(w, ac.MaxPduLength);
        WriteUidItem(w, ItemType.ImplementationClassUid, DicomUids.ImplementationClassUid);
        // Answer role selection only for the abstract syntaxes the requestor asked about (PS3.7 D.3.3.4).
        var answered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var proposal in proposals)
        {
            if (proposal.RequestorScuRole is null && proposal.RequestorScpRole is null) continue;
            if (!answered.Add(proposal.AbstractSyntax)) continue;
            var negotiated = ac.PresentationContexts.FirstOrDefault(c => c.Id == proposal.Id);
            WriteRoleSelection(w, proposal.AbstractSyntax, negotiated?.RequestorIsScu ?? false, negotiated?.RequestorIsScp ?? false);
        }
        WriteAsciiItem(w, ItemType.ImplementationVersionName, DicomUids.ImplementationVersionName);
        if (ac.UserIdentityServerResponse is { } response)
        {
            var item = BeginItem(w, ItemType.UserIdentityAccept);
            WriteLengthPrefixed(w, response);
            EndItem(w, item);
        }
        EndItem(w, ui);
        return FinishPdu(w);
    }

    public static byte[] EncodeReject(AssociationRejection rj) =>
        [(byte)PduType.AssociateReject, 0, 0, 0, 0, 4, 0, (byte)rj.Result, (byte)rj.Source, rj.Reason];

    public static byte[] EncodeReleaseRequest() => [(byte)PduType.ReleaseRequest, 0, 0, 0, 0, 4, 0, 0, 0, 0];

    public static byte[] EncodeReleaseResponse() => [(byte)PduType.ReleaseResponse, 0, 0, 0, 0, 4, 0, 0, 0, 0];

    /// <summary>A-ABORT; source 0 = service-user, 2 = service-provider (reason then meaningful).</summary>
    public static byte[] EncodeAbort(byte source, byte reason) => [(byte)PduType.Abort, 0, 0, 0, 0, 4, 0, 0, source, reason];

    public static AssociationRejection DecodeReject(ReadOnlySpan<byte> body)
    {
        if (body.Length < 4) throw new DicomProtocolException("A-ASSOCIATE-RJ PDU too short");
        return new AssociationRejection((AssociationRejectResult)body[1], (AssociationRejectSource)body[2], body[3]);
    }

    public static AssociationRequest DecodeRequest(ReadOnlySpan<byte> body, System.Net.EndPoint? remote, TlsSession? tls = null)
    {
        if (body.Length < FixedHeaderLength) throw new DicomProtocolException("A-ASSOCIATE-RQ PDU too short");
        var called = ReadAe(body.Slice(4, 16));
        var calling = ReadAe(body.Slice(20, 16));
        var contexts = new List<PresentationContextProposal>();
        var roles = new Dictionary<string, (bool Scu, bool Scp)>(StringComparer.Ordinal);
        uint maxPdu = 0;
        string implUid = "", implVersion = "";
        UserIdentity? identity = null;
        var appContextSeen = false;

        foreach (var (type, value) in Items(body[FixedHeaderLength..]))
        {
            switch (type)
            {
                case ItemType.ApplicationContext:
                    appContextSeen = true;
                    break;
                case ItemType.PresentationContextRequest:
                    contexts.Add(DecodeProposedContext(value));
                    break;
                case ItemType.UserInformation:
                    foreach (var (subType, sub) in Items(value))
                    {
                        switch (subType)
                        {
                            case ItemType.MaximumLength:
                                if (sub.Length >= 4) maxPdu = BinaryPrimitives.ReadUInt32BigEndian(sub);
                                break;
                            case ItemType.ImplementationClassUid: implUid = ReadUid(sub); break;
                            case ItemType.ImplementationVersionName: implVersion = ReadUid(sub); break;
                            case ItemType.RoleSelection:
                                if (sub.Length >= 2)
                                {
                                    var len = BinaryPrimitives.ReadUInt16BigEndian(sub);
                                    if (sub.Length >= 2 + len + 2)
                                        roles[ReadUid(sub.Slice(2, len))] = (sub[2 + len] == 1, sub[3 + len] == 1);
                                }
                                break;
                            case ItemType.UserIdentityRequest:
                                identity = DecodeUserIdentity(sub);
                                break;
                            // Asynchronous operations window, SOP class (common) extended negotiation and unknown
                            // sub-items are ignored: not answering them means the defaults apply (PS3.7 D.3.3).
                        }
                    }
                    break;
                // Unknown items are ignored (PS3.8 §9.3.1: "items of unrecognized type shall be ignored").
            }
        }
        if (!appContextSeen) throw new DicomProtocolException("A-ASSOCIATE-RQ without application context item");

        for (var i = 0; i < contexts.Count; i++)
        {
            if (roles.TryGetValue(contexts[i].AbstractSyntax, out var role))
                contexts[i] = contexts[i] with { RequestorScuRole = role.Scu, RequestorScpRole = role.Scp };
        }
        return new AssociationRequest
        {
            CalledAe = called, CallingAe = calling, RemoteEndPoint = remote, PresentationContexts = contexts,
            MaxPduLength = maxPdu, ImplementationClassUid = implUid, ImplementationVersionName = implVersion,
            UserIdentity = identity, Tls = tls,
        };
    }

    public static AssociationAccept DecodeAccept(ReadOnlySpan<byte> body, AssociationRequest sent)
    {
        if (body.Length < FixedHeaderLength) throw new DicomProtocolException("A-ASSOCIATE-AC PDU too short");
        var results = new List<(byte Id, PresentationContextResult Result, string Ts)>();
        var roles = new Dictionary<string, (bool Scu, bool Scp)>(StringComparer.Ordinal);
        uint maxPdu = 0;
        string implUid = "", implVersion = "";
        byte[]? identityResponse = null;
        foreach (var (type, value) in Items(body[FixedHeaderLength..]))
        {
            if (type == ItemType.PresentationContextAccept)
            {
                if (value.Length < 4) throw new DicomProtocolException("presentation context item too short");
                var ts = "";
                foreach (var (subType, sub) in Items(value[4..]))
                    if (subType == ItemType.TransferSyntax) ts = ReadUid(sub);
                results.Add((value[0], (PresentationContextResult)value[2], ts));
            }
            else if (type == ItemType.UserInformation)
            {
                foreach (var (subType, sub) in Items(value))
                {
                    switch (subType)
                    {
                        case ItemType.MaximumLength when sub.Length >= 4: maxPdu = BinaryPrimitives.ReadUInt32BigEndian(sub); break;
                        case ItemType.ImplementationClassUid: implUid = ReadUid(sub); break;
                        case ItemType.ImplementationVersionName: implVersion = ReadUid(sub); break;
                        case ItemType.RoleSelection when sub.Length >= 2:
                            var len = BinaryPrimitives.ReadUInt16BigEndian(sub);
                            if (sub.Length >= 2 + len + 2) roles[ReadUid(sub.Slice(2, len))] = (sub[2 + len] == 1, sub[3 + len] == 1);
                            break;
                        case ItemType.UserIdentityAccept when sub.Length >= 2:
                            var rl = BinaryPrimitives.ReadUInt16BigEndian(sub);
                            identityResponse = sub.Slice(2, Math.Min(rl, sub.Length - 2)).ToArray();
                            break;
                    }
                }
            }
        }
        var negotiated = new List<NegotiatedPresentationContext>();
        foreach (var (id, result, ts) in results)
        {
            var proposal = sent.PresentationContexts.FirstOrDefault(p => p.Id == id);
            if (proposal is null) continue;
            // Without a role selection answer the defaults apply: requestor is SCU only (PS3.7 D.3.3.4).
            var (scu, scp) = roles.TryGetValue(proposal.AbstractSyntax, out var r) ? r : (true, false);
            negotiated.Add(new(id, proposal.AbstractSyntax, result == PresentationContextResult.Accepted ? ts : "", result, scu, scp));
        }
        return new AssociationAccept
        {
            CalledAe = ReadAe(body.Slice(4, 16)), CallingAe = ReadAe(body.Slice(20, 16)), PresentationContexts = negotiated,
            MaxPduLength = maxPdu, ImplementationClassUid = implUid, ImplementationVersionName = implVersion,
            UserIdentityServerResponse = identityResponse,
        };
    }

    private static PresentationContextProposal DecodeProposedContext(ReadOnlySpan<byte> value)
    {
        if (value.Length < 4) throw new DicomProtocolException("presentation context item too short");
        var abstractSyntax = "";
        var transferSyntaxes = new List<string>();
        foreach (var (subType, sub) in Items(value[4..]))
        {
            if (subType == ItemType.AbstractSyntax) abstractSyntax = ReadUid(sub);
            else if (subType == ItemType.TransferSyntax) transferSyntaxes.Add(ReadUid(sub));
        }
        return new PresentationContextProposal(value[0], abstractSyntax, transferSyntaxes);
    }

    private static UserIdentity? DecodeUserIdentity(ReadOnlySpan<byte> sub)
    {
        if (sub.Length < 4) return null;
        var type = (UserIdentityType)sub[0];
        var positive = sub[1] == 1;
        var primaryLength = BinaryPrimitives.ReadUInt16BigEndian(sub[2..]);
        if (sub.Length < 4 + primaryLength) return null;
        var primary = Encoding.UTF8.GetString(sub.Slice(4, primaryLength));
        var secondary = "";
        var rest = sub[(4 + primaryLength)..];
        if (rest.Length >= 2)
        {
            var secondaryLength = BinaryPrimitives.ReadUInt16BigEndian(rest);
            if (rest.Length >= 2 + secondaryLength) secondary = Encoding.UTF8.GetString(rest.Slice(2, secondaryLength));
        }
        return new UserIdentity(type, primary, secondary, positive);
    }

    /// <summary>Iterates type/value pairs of items with a 2-byte big-endian length (header: type, reserved, length).</summary>
    private static ItemEnumerator Items(ReadOnlySpan<byte> span) => new(span);

    internal ref struct ItemEnumerator(ReadOnlySpan<byte> span)
    {
        private ReadOnlySpan<byte> _rest = span;

        public PduItem Current { get; private set; }

        public readonly ItemEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.IsEmpty) return false;
            if (_rest.Length < 4) throw new DicomProtocolException("truncated item header");
            var length = BinaryPrimitives.ReadUInt16BigEndian(_rest[2..]);
            if (_rest.Length < 4 + length) throw new DicomProtocolException($"item 0x{_rest[0]:X2} length {length} exceeds its PDU");
            Current = new PduItem(_rest[0], _rest.Slice(4, length));
            _rest = _rest[(4 + length)..];
            return true;
        }
    }

    internal readonly ref struct PduItem(byte type, ReadOnlySpan<byte> value)
    {
        private readonly ReadOnlySpan<byte> _value = value;

        public void Deconstruct(out byte itemType, out ReadOnlySpan<byte> itemValue)
        {
            itemType = type;
            itemValue = _value;
        }
    }

    private static string ReadAe(ReadOnlySpan<byte> field) => Encoding.ASCII.GetString(field).Trim(' ', '\0');

    private static string ReadUid(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');

    private static void WriteFixedHeader(ArrayBufferWriter<byte> w, PduType type, string calledAe, string callingAe)
    {
        Put(w, [(byte)type, 0, 0, 0, 0, 0]); // length patched in FinishPdu
        Put(w, [0, 1, 0, 0]);                // protocol version 1, reserved
        PutAe(w, calledAe);
        PutAe(w, callingAe);
        w.GetSpan(32)[..32].Clear();
        w.Advance(32);
    }

    private static void PutAe(ArrayBufferWriter<byte> w, string ae)
    {
        var span = w.GetSpan(16)[..16];
        span.Fill((byte)' ');
        Encoding.ASCII.GetBytes(ae.AsSpan(0, Math.Min(16, ae.Length)), span);
        w.Advance(16);
    }

    private static byte[] FinishPdu(ArrayBufferWriter<byte> w)
    {
        var pdu = w.WrittenSpan.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)(pdu.Length - 6));
        return pdu;
    }

    private static int BeginItem(ArrayBufferWriter<byte> w, byte type)
    {
        var start = w.WrittenCount;
        Put(w, [type, 0, 0, 0]);
        return start;
    }

    private static void EndItem(ArrayBufferWriter<byte> w, int start)
    {
        var length = w.WrittenCount - start - 4;
        if (length > ushort.MaxValue) throw new ArgumentException("association item too long");
        // ArrayBufferWriter exposes written memory read-only; the length slot is patched through its backing array.
        var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(w.WrittenMemory);
        BinaryPrimitives.WriteUInt16BigEndian(written.Span[(start + 2)..], (ushort)length);
    }

    private static void WriteUidItem(ArrayBufferWriter<byte> w, byte type, string uid) => WriteAsciiItem(w, type, uid);

    private static void WriteAsciiItem(ArrayBufferWriter<byte> w, byte type, string text)
    {
        var start = BeginItem(w, type);
        var n = Encoding.ASCII.GetBytes(text, w.GetSpan(text.Length));
        w.Advance(n);
        EndItem(w, start);
    }

    private static void WriteMaxLength(ArrayBufferWriter<byte> w, uint max)
    {
        var start = BeginItem(w, ItemType.MaximumLength);
        BinaryPrimitives.WriteUInt32BigEndian(w.GetSpan(4), max);
        w.Advance(4);
        EndItem(w, start);
    }

    private static void WriteRoleSelection(ArrayBufferWriter<byte> w, string abstractSyntax, bool scu, bool scp)
    {
        var start = BeginItem(w, ItemType.RoleSelection);
        WriteLengthPrefixed(w, Encoding.ASCII.GetBytes(abstractSyntax));
        Put(w, [scu ? (byte)1 : (byte)0, scp ? (byte)1 : (byte)0]);
        EndItem(w, start);
    }

    private static void WriteLengthPrefixed(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), (ushort)value.Length);
        w.Advance(2);
        w.Write(value);
    }

    private static void Put(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> bytes) => w.Write(bytes);
}
