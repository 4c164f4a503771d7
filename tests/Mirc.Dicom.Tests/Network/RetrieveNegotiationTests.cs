using Mirc.Dicom.Network;
using Xunit;

namespace Mirc.Dicom.Tests.Network;

/// <summary>Which syntax a storage context gets: the C-GET receiver's preference among producible ones, else the acceptor's order.</summary>
public sealed class RetrieveNegotiationTests
{
    private const string Ct = "1.2.840.10008.5.1.4.1.1.2";
    private static readonly string[] Stored = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.JPEGLosslessSV1, DicomUids.JPEGLSLossless];
    private static readonly string[] Producible = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian, DicomUids.JPEGLSLossless];

    private static PresentationContextPolicy Policy() => new PresentationContextPolicy().Add(Ct, Stored, allowRequestorScp: true, retrieveTransferSyntaxes: Producible);

    [Theory]
    [InlineData(new[] { DicomUids.JPEGLosslessSV1, DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian }, DicomUids.ExplicitVRLittleEndian)]
    [InlineData(new[] { DicomUids.JPEGLSLossless, DicomUids.ExplicitVRLittleEndian }, DicomUids.JPEGLSLossless)]
    [InlineData(new[] { DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRLittleEndian }, DicomUids.ImplicitVRLittleEndian)]
    [InlineData(new[] { DicomUids.JPEGLosslessSV1 }, DicomUids.JPEGLosslessSV1)] // a context per syntax: the stored one is taken as is
    public void A_CGET_receiver_gets_its_preferred_syntax_among_those_that_can_be_produced(string[] proposed, string expected)
    {
        var result = Policy().Negotiate(new PresentationContextProposal(1, Ct, proposed) { RequestorScuRole = false, RequestorScpRole = true });
        Assert.True(result.IsAccepted);
        Assert.True(result.RequestorIsScp);
        Assert.Equal(expected, result.TransferSyntax);
    }

    [Fact]
    public void A_storage_requestor_gets_the_acceptors_order_and_unknown_syntaxes_are_refused()
    {
        var store = Policy().Negotiate(new PresentationContextProposal(1, Ct, [DicomUids.JPEGLSLossless, DicomUids.ExplicitVRLittleEndian]));
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, store.TransferSyntax);
        Assert.False(store.RequestorIsScp);
        var unknown = Policy().Negotiate(new PresentationContextProposal(3, Ct, [DicomUids.MPEG2MPML]) { RequestorScuRole = false, RequestorScpRole = true });
        Assert.False(unknown.IsAccepted);
    }
}
