using Microsoft.Extensions.Primitives;
using Mirc.Api.DicomWeb.Negotiation;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class AcceptNegotiationTests
{
    private static readonly MediaOffer Instances = new("multipart/related", "application/dicom");
    private static readonly MediaOffer DicomJson = new("application/dicom+json");
    private static readonly MediaOffer Json = new("application/json");

    [Fact]
    public void No_accept_header_takes_the_first_offer()
    {
        var chosen = AcceptNegotiation.Select(StringValues.Empty, [DicomJson, Json]);
        Assert.Equal(DicomJson, chosen?.Offer);
        Assert.Null(chosen?.TransferSyntax);
    }

    [Fact]
    public void Multipart_with_part_type_and_any_transfer_syntax_matches()
    {
        var chosen = AcceptNegotiation.Select("multipart/related; type=\"application/dicom\"; transfer-syntax=*", [Instances]);
        Assert.NotNull(chosen);
        Assert.Equal("*", chosen.TransferSyntax);
        Assert.True(chosen.AcceptsStoredTransferSyntax("1.2.840.10008.1.2.4.50"));
    }

    [Theory]
    [InlineData("multipart/related; type=application/dicom")]
    [InlineData("multipart/related;type=application/dicom;transfer-syntax=*")]
    [InlineData("application/json, multipart/related; type=application/dicom; q=0.9")]
    public void Unquoted_type_and_transfer_syntax_as_odil_sends_them_match(string accept)
    {
        var chosen = AcceptNegotiation.Select(accept, [Instances]);
        Assert.Equal(Instances, chosen?.Offer);
        Assert.True(chosen!.AcceptsStoredTransferSyntax("1.2.840.10008.1.2.4.50"));
    }

    [Fact]
    public void Unquoted_wrong_part_type_is_still_refused()
    {
        Assert.Null(AcceptNegotiation.Select("multipart/related; type=image/jpeg", [Instances]));
    }

    [Fact]
    public void Explicit_transfer_syntax_is_reported_and_checked_against_stored()
    {
        var chosen = AcceptNegotiation.Select("multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.1", [Instances]);
        Assert.NotNull(chosen);
        Assert.True(chosen.AcceptsStoredTransferSyntax("1.2.840.10008.1.2.1"));
        Assert.False(chosen.AcceptsStoredTransferSyntax("1.2.840.10008.1.2.4.90"));
    }

    [Fact]
    public void Wrong_part_type_is_not_acceptable()
    {
        Assert.Null(AcceptNegotiation.Select("multipart/related; type=\"image/jpeg\"", [Instances]));
        Assert.Null(AcceptNegotiation.Select("application/json", [Instances]));
    }

    [Fact]
    public void Wildcards_match()
    {
        Assert.Equal(Instances, AcceptNegotiation.Select("*/*", [Instances])?.Offer);
        Assert.Equal(Instances, AcceptNegotiation.Select("multipart/*", [Instances])?.Offer);
        Assert.Equal(Json, AcceptNegotiation.Select("text/html, application/*;q=0.5", [Json])?.Offer);
    }

    [Fact]
    public void Higher_quality_wins_and_zero_quality_is_refused()
    {
        Assert.Equal(Json, AcceptNegotiation.Select("application/dicom+json;q=0.2, application/json", [DicomJson, Json])?.Offer);
        Assert.Null(AcceptNegotiation.Select("application/dicom+json;q=0", [DicomJson]));
    }
}
