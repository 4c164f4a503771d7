using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Mirc.Api.Access;
using Mirc.Api.DicomWeb.Negotiation;
using Mirc.Api.Hosting;
using Mirc.Api.Problems;
using Mirc.Grains.Audit;
using Mirc.Grains.Indexing;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Security;

namespace Mirc.Api.DicomWeb.Qido;

/// <summary>
/// QIDO-RS searches (PS3.18 §10.6) answered from the query index, filtered by the caller's visibility inside the
/// query itself (counts never leak), returned as DICOM JSON.
/// </summary>
public static class QidoEndpoint
{
    private static readonly MediaOffer[] Offers = [new(DicomMediaTypes.DicomJson), new(DicomMediaTypes.Json)];

    /// <summary>Runs a search at <paramref name="level"/>, under the study/series fixed by the path if any.</summary>
    public static async Task<IResult> SearchAsync(
        HttpContext context,
        QidoLevel level,
        string? study,
        string? series,
        QidoQueryParser parser,
        QidoResponseJsonWriter responseWriter,
        IQueryIndex index,
        IDicomWebAccessPolicy access,
        DicomWebAudit audit,
        IOptions<MircApiOptions> options,
        CancellationToken cancellationToken)
    {
        var negotiated = AcceptNegotiation.Select(context.Request.Headers.Accept, Offers);
        if (negotiated is null) return ApiProblems.NotAcceptable("Search results are served as application/dicom+json.");

        var query = parser.TryParse(level, study, series, context.Request.Query, options.Value.QidoMaxResults, out var errors);
        if (query is null) return ApiProblems.Validation(errors, "The search parameters are invalid.");

        var warnings = new List<string>(query.Warnings);
        var matches = new Dictionary<uint, string>();
        foreach (var match in query.Matches)
        {
            if (match.Value.Length == 0 || match.Value == "*") continue; // universal matching: a return key only
            var attributeLevel = QidoIndexAttributes.LevelOf(match.Attribute.Tag);
            if (attributeLevel is null)
            {
                warnings.Add($"Matching on {match.Attribute.Keyword} is not supported; the key was ignored.");
                continue;
            }
            if (attributeLevel > level)
            {
                errors[match.Attribute.Keyword] = [$"{match.Attribute.Keyword} is a {attributeLevel.Value.ToString().ToLowerInvariant()}-level attribute; it cannot be matched in a {level.ToString().ToLowerInvariant()} search."];
                continue;
            }
            matches[match.Attribute.Tag] = match.Value;
        }
        if (errors.Count > 0) return ApiProblems.Validation(errors, "The search parameters are invalid.");
        if (query.FuzzyMatching) warnings.Add("Fuzzy matching is not supported; literal matching was performed.");

        var caller = ApiCaller.From(context);
        var visibility = await access.QueryVisibilityAsync(caller, cancellationToken).ConfigureAwait(false);
        var authorization = visibility?.Authorization
            ?? await access.QueryAuthorizationAsync(caller, cancellationToken).ConfigureAwait(false);
        var indexQuery = new IndexQuery(QidoIndexAttributes.ToIndexLevel(level), authorization)
        {
            Matches = matches,
            Limit = Math.Max(1, query.Limit),
            Offset = query.Offset,
        };
        var rows = query.Limit == 0 || authorization.IsNothing
            ? []
            : visibility is null
                ? await index.QueryAsync(indexQuery, cancellationToken).ConfigureAwait(false)
                // The index authorization is a superset here: rows are re-checked before paging and counting.
                : await ScopedIndexSearch.QueryAsync(index, indexQuery, visibility, cancellationToken).ConfigureAwait(false);

        // One record per patient among the results (flagged when reached through break-the-glass), durable before the body.
        await audit.RecordAsync(context, AuditAction.Query, AuditOutcome.Success, PatientAccessGroup.FromRows(rows, visibility?.EmergencyPatientIds),
            $"QIDO-RS {level.ToString().ToLowerInvariant()} {context.Request.QueryString}: {rows.Count} result(s)", cancellationToken).ConfigureAwait(false);
        foreach (var warning in warnings)
            context.Response.Headers.Append(HeaderNames.Warning, $"299 mirc \"{warning}\"");
        var returned = query.IncludeAll ? null : QidoReturnAttributes.For(query, study is not null, series is not null);
        var urls = DicomWebUrls.For(context.Request, options);
        return new SearchResult(negotiated.Offer.MediaType, rows, returned, responseWriter, row => RetrieveUrl(level, row, urls));
    }

    private static string? RetrieveUrl(QidoLevel level, IReadOnlyDictionary<uint, string> row, DicomWebUrls urls)
    {
        row.TryGetValue(IndexTags.StudyInstanceUid, out var study);
        row.TryGetValue(IndexTags.SeriesInstanceUid, out var series);
        row.TryGetValue(IndexTags.SopInstanceUid, out var instance);
        return level switch
        {
            QidoLevel.Study when study is not null => urls.Study(study),
            QidoLevel.Series when study is not null && series is not null => urls.Series(study, series),
            QidoLevel.Instance when study is not null && series is not null && instance is not null => urls.Instance(study, series, instance),
            _ => null,
        };
    }

    private sealed class SearchResult(
        string mediaType,
        IReadOnlyList<IReadOnlyDictionary<uint, string>> rows,
        IReadOnlySet<uint>? returned,
        QidoResponseJsonWriter responseWriter,
        Func<IReadOnlyDictionary<uint, string>, string?> retrieveUrl) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = mediaType;
            await using var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter);
            responseWriter.Write(writer, rows, returned, retrieveUrl);
            await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
