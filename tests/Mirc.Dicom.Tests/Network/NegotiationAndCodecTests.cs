using System.Buffers;
using Mirc.Dicom.Network;
using Mirc.Dicom.Network.Dimse;
using Mirc.Dicom.Network.Upper;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Pure encode/decode and negotiation rules, without sockets.</summary>
public sealed class NegotiationAndCodecTests
{
    [Fact]
    public void Policy_prefers_acceptor_order_and_grants_scp_role_only_when_allowed()
    {
        var policy = new PresentationContextPolicy()
            .Add("1.2.3", [DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRLittleEndian], allowRequestorScp: true)
            .Add("1.2.4", [DicomUids.ExplicitVRLittleEndian]);

        var a = policy.Negotiate(new(1, "1.2.3", [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian]) { RequestorScuRole = false, RequestorScpRole = true });
        Assert.Equal(PresentationContextResult.Accepted, a.Result);
        Assert.Equal(DicomUids.ImplicitVRLittleEndian, a.TransferSyntax);
        Assert.True(a.RequestorIsScp);
        Assert.False(a.RequestorIsScu);

        var b = policy.Negotiate(new(3, "1.2.4", [DicomUids.ExplicitVRLittleEndian]) { RequestorScpRole = true });
        Assert.False(b.RequestorIsScp);
        Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported, policy.Negotiate(new(5, "1.2.4", [DicomUids.ImplicitVRLittleEndian])).Result);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, policy.Negotiate(new(7, "9.9", [DicomUids.ImplicitVRLittleEndian])).Result);
    }

    [Fact]
    public void Associate_request_round_trips_roles_identity_and_implementation()
    {
        var rq = new AssociationRequest
        {
            CallingAe = "CALLING", CalledAe = "CALLED", MaxPduLength = 32768,
            PresentationContexts =
            [
                new(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian]),
                new(3, TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian]) { RequestorScuRole = false, RequestorScpRole = true },
            ],
        };
        var identity = new UserIdentity(UserIdentityType.UsernameAndPasscode, "bob", "pässword", true);
        var pdu = AssociatePduCodec.EncodeRequest(rq, 32768, identity);
        Assert.Equal(pdu.Length - 6, (pdu[2] << 24) | (pdu[3] << 16) | (pdu[4] << 8) | pdu[5]);

        var decoded = AssociatePduCodec.DecodeRequest(pdu.AsSpan(6), null);
        Assert.Equal("CALLING", decoded.CallingAe);
        Assert.Equal("CALLED", decoded.CalledAe);
        Assert.Equal(32768u, decoded.MaxPduLength);
        Assert.Equal(DicomUids.ImplementationClassUid, decoded.ImplementationClassUid);
        Assert.Equal(DicomUids.ImplementationVersionName, decoded.ImplementationVersionName);
        Assert.Equal(identity, decoded.UserIdentity);
        Assert.Null(decoded.PresentationContexts[0].RequestorScpRole);
        Assert.True(decoded.PresentationContexts[1].RequestorScpRole);
        Assert.False(decoded.PresentationContexts[1].RequestorScuRole);
        Assert.Equal(rq.PresentationContexts[1].TransferSyntaxes, decoded.PresentationContexts[1].TransferSyntaxes);

        var accept = new AssociationAccept
        {
            CallingAe = "CALLING", CalledAe = "CALLED", MaxPduLength = 65536, UserIdentityServerResponse = [],
            PresentationContexts = decoded.PresentationContexts.Select(new PresentationContextPolicy()
                .Add(TestFiles.SecondaryCapture, [DicomUids.ExplicitVRLittleEndian], allowRequestorScp: true).Negotiate).ToList(),
        };
        var ac = AssociatePduCodec.EncodeAccept(accept, decoded.PresentationContexts);
        var back = AssociatePduCodec.DecodeAccept(ac.AsSpan(6), rq);
        Assert.Equal(65536u, back.MaxPduLength);
        Assert.NotNull(back.UserIdentityServerResponse);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, back.PresentationContexts[0].Result);
        Assert.True(back.PresentationContexts[1].IsAccepted);
        Assert.True(back.PresentationContexts[1].RequestorIsScp);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, back.PresentationContexts[1].TransferSyntax);
    }

    [Fact]
    public void Item_longer_than_its_pdu_is_a_protocol_error()
    {
        var rq = new AssociationRequest { CallingAe = "A", CalledAe = "B", PresentationContexts = [new(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])] };
        var pdu = AssociatePduCodec.EncodeRequest(rq, 16384, null);
        var body = pdu.AsSpan(6).ToArray();
        body[68 + 3] = 0xFF; // application context item claims 255 bytes (more than the PDU holds)
        body[68 + 2] = 0x7F;
        Assert.Throws<DicomProtocolException>(() => AssociatePduCodec.DecodeRequest(body, null));
    }

    [Fact]
    public void Command_set_round_trips_and_rejects_foreign_groups()
    {
        var command = DimseMessages.Request(CommandField.CStoreRequest, 7, TestFiles.SecondaryCapture);
        command.SetString(DimseCommand.AffectedSopInstanceUid, "1.2.3");
        command.SetString(DimseCommand.MoveOriginatorAe, "ORIG");
        command.HasDataSet = true;
        var bytes = command.Encode();
        var decoded = DimseCommand.Decode(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(CommandField.CStoreRequest, decoded.Field);
        Assert.Equal(7, decoded.MessageIdValue);
        Assert.Equal("1.2.3", decoded.GetString(DimseCommand.AffectedSopInstanceUid));
        Assert.Equal(TestFiles.SecondaryCapture, decoded.GetString(DimseCommand.AffectedSopClassUid));
        Assert.Equal("ORIG", decoded.GetString(DimseCommand.MoveOriginatorAe));
        Assert.True(decoded.HasDataSet);
        // Group length matches the elements that follow it.
        Assert.Equal(bytes.Length - 12, BitConverter.ToInt32(bytes, 8));

        var foreign = (byte[])bytes.Clone();
        foreign[12] = 0x08; // first element after group length now in group 0008
        Assert.Throws<DicomProtocolException>(() => DimseCommand.Decode(new ReadOnlySequence<byte>(foreign)));
        Assert.Throws<DicomProtocolException>(() => DimseCommand.Decode(new ReadOnlySequence<byte>(bytes.AsMemory(0, bytes.Length - 3))));
    }

    [Fact]
    public void Failed_instance_list_round_trips_in_both_little_endian_syntaxes()
    {
        string[] uids = ["1.2.3", "1.2.840.5"];
        foreach (var ts in new[] { DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRLittleEndian })
        {
            var encoded = FailedInstancesIdentifier.Encode(uids, ts);
            Assert.Equal(uids, FailedInstancesIdentifier.Decode(encoded, ts));
            Assert.Equal(uids, DicomDatasetReader.Read(encoded, DicomTransferSyntax.Lookup(ts)).GetStrings(DicomTag.FailedSOPInstanceUIDList));
        }
    }
}
