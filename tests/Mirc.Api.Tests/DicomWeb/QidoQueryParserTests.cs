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
    public void Unknown_attribute_is_reported_by_name()
    {
        Assert.Null(Parse(QidoLevel.Study, out var errors, ("PatientNam", "X")));
        Assert.Contains("not a known DICOM attribute", Assert.Single(errors["PatientNam"]));
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
    public void Sequence_matching_is_refused()
    {
        Assert.Null(Parse(QidoLevel.Study, out var errors, ("ReferencedStudySequence.ReferencedSOPInstanceUID", "1.2")));
        Assert.Single(errors);
    }
}
