using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Mirc.Api.Hosting;

/// <summary>
/// Examples in the API reference: a request body for every operation that takes one, and a value for every route
/// parameter, so <c>/docs</c> can send a realistic request as it stands. The tables are the one place they are written;
/// a contract test checks that every body operation has one and that they name only properties the schema has.
/// </summary>
internal sealed class OpenApiExamples : IOpenApiOperationTransformer
{
    /// <summary>Request bodies by "METHOD route" (route as ASP.NET Core describes it, without the leading slash).</summary>
    private static readonly Dictionary<string, string> Bodies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST api/auth/token"] = """{ "username": "radiologue", "password": "Blue-Lantern-Orchard-42", "totp": "492039" }""",
        ["POST api/patients/{patientId}/consent"] = """{ "kind": "Oppose", "reason": "Patient's written opposition received at the front desk" }""",
        ["POST api/patients/{patientId}/care-relationship"] = """{ "reason": "Follow-up consultation, referred by Dr Martin" }""",
        ["POST api/patients/{patientId}/break-the-glass"] = """{ "reason": "Unconscious patient in the emergency department, prior CT needed" }""",
        ["POST api/establishments"] = """{ "establishmentId": "750000002", "name": "CHU Test", "retentionYears": 20, "sharing": "CareRelationship" }""",
        ["PUT api/establishments/{establishmentId}"] = """{ "name": "CHU Test — site Nord", "retentionYears": 25, "sharing": "Regional" }""",
        ["PUT api/establishments/{establishmentId}/ae-titles/{aeTitle}"] =
            """{ "host": "10.12.0.40", "port": 104, "permissions": ["Store", "Query", "Retrieve"], "networks": ["10.12.0.0/24"], "tls": true }""",
        ["PUT api/professionals/{rpps}"] = """{ "name": "Dr Claire Martin", "establishmentId": "750000001", "roles": ["Radiologist"] }""",
        ["POST api/patients/{patientId}/links"] = """{ "establishmentId": "750000002", "issuer": "CHU-TEST", "localPatientId": "P-004211", "reason": "Same INS and birth date, confirmed by the patient" }""",
        ["POST api/patients/{patientId}/unlink"] = """{ "establishmentId": "750000002", "issuer": "CHU-TEST", "localPatientId": "P-004211", "reason": "Linked by mistake: homonym" }""",
        ["POST api/patients/{patientId}/reconcile"] = """{ "studyInstanceUid": "1.2.826.0.1.3680043.8.498.1", "reason": "Emergency CT of 02/12 sent without Patient ID, identified by the ward" }""",
        ["POST api/shares"] = """{ "studyInstanceUid": "1.2.826.0.1.3680043.8.498.1", "recipientAeTitle": "CHU_VIEWER", "reason": "Second opinion requested by the oncologist" }""",
        ["POST api/research/projects"] = """
            { "name": "Lung nodule follow-up 2020-2025", "purpose": "Retrospective study approved by the ethics committee (ref. CE-2026-041), public-interest research",
              "cohort": { "modalities": ["CT"], "studyDateFrom": "20200101", "studyDateTo": "20251231", "bodyParts": ["CHEST"], "establishmentIds": ["750000001"] },
              "flagBurnedInAnnotation": false, "stowDestination": "university-pacs" }
            """,
    };

    /// <summary>Route parameter values by name.</summary>
    private static readonly Dictionary<string, string> Parameters = new(StringComparer.OrdinalIgnoreCase)
    {
        ["patientId"] = "ins:185027512345678",
        ["establishmentId"] = "750000001",
        ["aeTitle"] = "CT_SCANNER_1",
        ["rpps"] = "10001234567",
        ["study"] = "1.2.826.0.1.3680043.8.498.1",
        ["series"] = "1.2.826.0.1.3680043.8.498.1.1",
        ["instance"] = "1.2.826.0.1.3680043.8.498.1.1.1",
        ["frames"] = "1,2",
        ["shareId"] = "3f2b8c1e-5d4a-4e57-9b0f-2a6c1d8e7f90",
        ["projectId"] = "8d3c52f0a6e94b1c9f7e2d4a5b6c7d8e",
        ["exportId"] = "1f4e7a9c2b3d4e5f6a7b8c9d0e1f2a3b",
        ["path"] = "7FE00010", // Pixel Data; a value inside a sequence item is "sequence tag/item/tag"
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var key = $"{context.Description.HttpMethod} {context.Description.RelativePath?.TrimEnd('/')}";
        if (Bodies.TryGetValue(key, out var body))
        {
            var example = JsonNode.Parse(body);
            if (operation.RequestBody is null)
            {
                // The token endpoint reads JSON or a form itself: describe both.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                    {
                        ["application/json"] = new() { Example = example },
                        ["application/x-www-form-urlencoded"] = new() { Example = example?.DeepClone() },
                    },
                };
            }
            else if (operation.RequestBody.Content is { } content)
            {
                foreach (var media in content.Values)
                {
                    media.Example = example?.DeepClone();
                }
            }
        }

        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.In == ParameterLocation.Path && parameter.Name is { } name && Parameters.TryGetValue(name, out var value))
            {
                parameter.Example = JsonValue.Create(value);
            }
        }

        return Task.CompletedTask;
    }
}
