using Microsoft.Extensions.Primitives;
using Mirc.Api.DicomWeb.Qido;
using Xunit;

namespace Mirc.Api.Tests.DicomWeb;

public sealed class QidoQueryParserTests
{
    private readonly QidoQueryParser _parser = new(new DicomDictionaryAttributes());

    private QidoQuery? Parse(QidoLevel level, out Dictionary<string, string[]> errors, params (string Key, string Value)[] parameters) =>
        _parser.TryParse(level, null, null, parameters.Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value)), 100, out errors);

    [Fact]
    public void Keywords_and_tags_resolve_to_the_same_attribute()
    {
        var query = Parse(QidoLevel.Study, out _, ("PatientName", "DOE*"), ("00080020", "20200101-"));
        Assert.NotNull(query);
        Assert.Equal("DOE*", query.MatchOn(0x00100010)?.Value);
        Assert.Equal("PN", query.MatchOn(0x00100010)?.Attribute.Vr);
        Assert.Equal("StudyDate", query.MatchOn(0x00080020)?.Attribute.Keyword);
    }

    [Fact]
    public void Unknown_and_sequence_keys_are_ignored_with_a_warning_naming_them()
    {
        var query = Parse(QidoLevel.Study, out var errors, ("PatientNam", "X"), ("_dc", "1700000000"), ("ReferencedStudySequence.StudyInstanceUID", "1.2"), ("PatientID", "P1"));
        Assert.NotNull(query);
        Assert.Empty(errors);
        Assert.Equal("P1", Assert.Single(query.Matches).Value);
        Assert.Equal(3, query.Warnings.Count);
        Assert.Contains(query.Warnings, w => w.Contains("'PatientNam'", StringComparison.Ordinal));
        Assert.Contains(query.Warnings, w => w.Contains("'_dc'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ModalitiesInStudy", "CT,MR", "CT\\MR")]
    [InlineData("StudyInstanceUID", "1.2.3,1.2.4", "1.2.3\\1.2.4")]
    [InlineData("PatientName", "DOE, JOHN", "DOE, JOHN")] // a comma is part of a person name
    [InlineData("StudyDescription", "CHEST, ABDOMEN", "CHEST, ABDOMEN")]
    public void Comma_separated_values_are_alternatives_where_a_value_cannot_hold_a_comma(string key, string sent, string matched)
    {
        var query = Parse(QidoLevel.Study, out _, (key, sent));
        Assert.Equal(matched, Assert.Single(query!.Matches).Value);
    }

    [Theory]
    [InlineData("2024", "20240101-20241231")]
    [InlineData("202402", "20240201-20240229")]
    [InlineData("202312", "20231201-20231231")]
    [InlineData("2023-2024", "20230101-20241231")]
    [InlineData("202401-", "20240101-")]
    [InlineData("-2023", "-20231231")]
    [InlineData("20240315", "20240315")]
    [InlineData("20240101-20240131", "20240101-20240131")]
    public void Partial_dates_match_their_whole_period(string sent, string matched)
    {
        var query = Parse(QidoLevel.Study, out var errors, ("StudyDate", sent));
        Assert.Empty(errors);
        Assert.Equal(matched, Assert.Single(query!.Matches).Value);
    }

    [Theory]
    [InlineData("202413")]
    [InlineData("24")]
    [InlineData("2024-2023")]
    public void Malformed_partial_dates_are_still_refused(string sent)
    {
        Assert.Null(Parse(QidoLevel.Study, out var errors, ("StudyDate", sent)));
        Assert.True(errors.ContainsKey("StudyDate"));
    }

    [Fact]
    public void Bad_date_range_is_reported()
    {
        Assert.Null(Parse(QidoLevel.Study, out var errors, ("StudyDate", "20201231-20200101")));
        Assert.Contains("after range end", Assert.Single(errors["StudyDate"]));
    }

    [Fact]
    public void Includefield_accepts_lists_tags_and_all()
    {
        var query = Parse(QidoLevel.Series, out _, ("includefield", "SeriesDescription,00180015"), ("includefield", "all"));
        Assert.NotNull(query);
        Assert.True(query.IncludeAll);
        Assert.Equal([0x0008103Eu, 0x00180015u], query.IncludeFields.Select(f => f.Tag));
        Assert.Null(Parse(QidoLevel.Series, out var errors, ("includefield", "NoSuchThing")));
        Assert.True(errors.ContainsKey("includefield"));
    }

    [Fact]
    public void Limit_is_capped_offset_and_fuzzy_are_read()
    {
        var query = Parse(QidoLevel.Study, out _, ("limit", "5000"), ("offset", "20"), ("fuzzymatching", "true"));
        Assert.NotNull(query);
        Assert.Equal(100, query.Limit);
        Assert.Equal(20, query.Offset);
        Assert.True(query.FuzzyMatching);
        Assert.Null(Parse(QidoLevel.Study, out var errors, ("limit", "-1"), ("offset", "x"), ("fuzzymatching", "maybe")));
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Path_uids_become_matches_and_are_validated()
    {
        var query = _parser.TryParse(QidoLevel.Instance, "1.2.3", "1.2.3.4", [], 10, out _);
        Assert.Equal("1.2.3", query?.MatchOn(0x0020000D)?.Value);
        Assert.Equal("1.2.3.4", query?.MatchOn(0x0020000E)?.Value);
        Assert.Null(_parser.TryParse(QidoLevel.Series, "1.2.x", null, [], 10, out var errors));
        Assert.True(errors.ContainsKey("study"));
    }

    [Fact]
    public void Repeated_uid_keys_become_a_list()
    {
        var query = _parser.TryParse(QidoLevel.Study, null, null,
            [new KeyValuePair<string, StringValues>("StudyInstanceUID", new StringValues(["1.2.3", "1.2.4"]))], 10, out _);
        Assert.Equal("1.2.3\\1.2.4", query?.MatchOn(0x0020000D)?.Value);
    }

    [Fact]
    public void Sequence_matching_is_ignored_with_a_warning()
    {
        var query = Parse(QidoLevel.Study, out var errors, ("ReferencedStudySequence.ReferencedSOPInstanceUID", "1.2"), ("ReferencedStudySequence", "1.2"));
        Assert.NotNull(query);
        Assert.Empty(errors);
        Assert.Empty(query.Matches);
        Assert.Equal(2, query.Warnings.Count);
        Assert.All(query.Warnings, w => Assert.Contains("sequence attributes is not supported", w, StringComparison.Ordinal));
    }
}
