using System.Text.Json.Nodes;

namespace OpenTfa.Server.OpenApi;

/// <summary>
/// The seed flow — an application, its template, a PIN sent by SMS, resent, verified, and the
/// verification status — as the request and answer examples of the operations it calls, keyed by
/// operation id. Redocly checks each example against its schema.
/// </summary>
internal static class SeedExamples
{
    private const string AppId = "0933F3BC087D2A617AC6DCB2EF5B8A61";
    private const string MessageId = "16A8B5FE2BCD6CA716A2D780CB3F3390";
    private const string PinId = "9C817C6F8AF3D48F9FE553282AFA2B67";

    private static readonly string Configuration =
        """{"allowMultiplePinVerifications":true,"pinAttempts":5,"pinTimeToLive":"10m","sendPinPerApplicationLimit":"5000/12h","sendPinPerPhoneNumberLimit":"2/1d","verifyPinLimit":"2/4s"}""";

    private static readonly Dictionary<string, (string? Request, string Response)> ByOperation = new(StringComparer.Ordinal)
    {
        ["createTfaApplication"] = (
            $$"""{"name":"My 2FA application","enabled":true,"configuration":{{Configuration}}}""",
            $$"""{"applicationId":"{{AppId}}","name":"My 2FA application","enabled":true,"configuration":{{Configuration}}}"""),
        ["createTfaMessageTemplate"] = (
            """{"messageText":"Your pin is {{pin}}","pinLength":4,"pinType":"NUMERIC","language":"en","senderId":"InfoSMS"}""",
            $$$"""{"messageId":"{{{MessageId}}}","applicationId":"{{{AppId}}}","messageText":"Your pin is {{pin}}","pinPlaceholder":"{{pin}}","pinLength":4,"pinType":"NUMERIC","language":"en","senderId":"InfoSMS"}"""),
        ["sendTfaPinCodeOverSms"] = (
            $$"""{"applicationId":"{{AppId}}","messageId":"{{MessageId}}","from":"InfoSMS","to":"41793026727"}""",
            $$"""{"pinId":"{{PinId}}","to":"41793026727","ncStatus":"NC_NOT_CONFIGURED","smsStatus":"MESSAGE_SENT"}"""),
        ["resendTfaPinCodeOverSms"] = (
            """{}""",
            $$"""{"pinId":"{{PinId}}","to":"41793026727","smsStatus":"MESSAGE_SENT"}"""),
        ["verifyTfaPhoneNumber"] = (
            """{"pin":"1598"}""",
            $$"""{"pinId":"{{PinId}}","msisdn":"41793026727","verified":true,"attemptsRemaining":5}"""),
        ["getTfaVerificationStatus"] = (
            null,
            """{"verifications":[{"msisdn":"41793026727","verified":true,"verifiedAt":1418364366000,"sentAt":1418364246000}]}"""),
    };

    /// <summary>The seed's request body and answer for <paramref name="operationId"/>, if it calls it.</summary>
    public static (JsonNode? Request, JsonNode Response)? For(string? operationId) =>
        operationId is not null && ByOperation.TryGetValue(operationId, out (string? Request, string Response) example)
            ? (example.Request is null ? null : JsonNode.Parse(example.Request), JsonNode.Parse(example.Response)!)
            : null;
}
