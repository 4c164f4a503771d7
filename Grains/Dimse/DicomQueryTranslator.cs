using Mirc.Dicom;
using Mirc.Dicom.Network;
using Mirc.Grains.Indexing;

namespace Mirc.Grains.Dimse;

/// <summary>
/// Turns a C-FIND / C-GET / C-MOVE identifier into an index query, and an index row back into a C-FIND response
/// carrying exactly the requested return keys (PS3.4 C.4.1).
/// </summary>
public static class DicomQueryTranslator
{
    private static readonly DicomTag QueryRetrieveLevel = new(0x0008, 0x0052);
    private static readonly DicomTag SpecificCharacterSet = new(0x0008, 0x0005);

    /// <summary>A parsed identifier: level, index query, and the dataset the responses echo.</summary>
    /// <param name="Level">Query/Retrieve Level.</param>
    /// <param name="Query">Index query (limit set by the caller).</param>
    /// <param name="Identifier">The identifier as received (its elements are the return keys).</param>
    public sealed record ParsedIdentifier(QueryLevel Level, IndexQuery Query, DicomDataset Identifier);

    /// <summary>Parses an identifier; throws <see cref="DimseServiceException"/> with a precise status when it is unusable.</summary>
    public static ParsedIdentifier Parse(DicomQueryRequest request, IndexAuthorization authorization, int limit)
    {
        var identifier = request.Identifier;

        var levelText = identifier.GetStringOrDefault(QueryRetrieveLevel)?.Trim().ToUpperInvariant();
        QueryLevel level = levelText switch
        {
            "PATIENT" => QueryLevel.Patient,
            "STUDY" => QueryLevel.Study,
            "SERIES" => QueryLevel.Series,
            "IMAGE" => QueryLevel.Image,
            _ => throw new DimseServiceException(DimseStatus.IdentifierDoesNotMatchSopClass,
                $"Query/Retrieve Level (0008,0052) '{levelText}' is not PATIENT, STUDY, SERIES or IMAGE"),
        };
        if (level == QueryLevel.Patient && !ArchivePresentationContexts.IsPatientRoot(request.SopClassUid))
        {
            throw new DimseServiceException(DimseStatus.IdentifierDoesNotMatchSopClass, "PATIENT level needs the Patient Root information model");
        }

        var matches = new Dictionary<uint, string>();
        foreach (var element in identifier)
        {
            var tag = element.Tag.Value;
            if (!IndexTags.MatchingKeys.TryGetValue(tag, out var tagLevel) || tagLevel > level)
            {
                continue;
            }

            var value = identifier.GetStringOrDefault(element.Tag)?.Trim();
            if (!string.IsNullOrEmpty(value) && value != "*")
            {
                matches[tag] = value;
            }
        }

        return new ParsedIdentifier(level, new IndexQuery(level, authorization) { Matches = matches, Limit = limit }, identifier);
    }

    /// <summary>Builds one C-FIND response: every requested key, filled from the index row when it has it.</summary>
    public static DicomDataset ToResponse(ParsedIdentifier parsed, IReadOnlyDictionary<uint, string> row)
    {
        var response = new DicomDataset();
        // Index values are Unicode strings: answer in UTF-8 whatever the request's character set was.
        response.Set(SpecificCharacterSet, DicomVR.CS, "ISO_IR 192");
        foreach (var element in parsed.Identifier)
        {
            if (element.Tag == SpecificCharacterSet || element.Tag.Group == 0xFFFF)
            {
                continue;
            }

            if (element.Tag == QueryRetrieveLevel)
            {
                response.Set(QueryRetrieveLevel, DicomVR.CS, parsed.Identifier.GetStringOrDefault(QueryRetrieveLevel)?.Trim());
                continue;
            }

            if (element.VR == DicomVR.SQ)
            {
                response.SetSequence(element.Tag);
                continue;
            }

            row.TryGetValue(element.Tag.Value, out var value);
            response.Set(element.Tag, element.VR, value ?? "");
        }

        return response;
    }
}
