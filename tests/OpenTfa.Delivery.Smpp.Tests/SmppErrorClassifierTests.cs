using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp.Tests;

public class SmppErrorClassifierTests
{
    [Theory]
    [InlineData(SmppCommandStatus.ESME_ROK, SmppFailureKind.None)]
    [InlineData(SmppCommandStatus.ESME_RSYSERR, SmppFailureKind.Temporary)]
    [InlineData(SmppCommandStatus.ESME_RMSGQFUL, SmppFailureKind.Temporary)]
    [InlineData(SmppCommandStatus.ESME_RTHROTTLED, SmppFailureKind.Temporary)]
    [InlineData(SmppCommandStatus.ESME_RINVBNDSTS, SmppFailureKind.Temporary)]
    [InlineData(SmppCommandStatus.ESME_RSUBMITFAIL, SmppFailureKind.Temporary)]
    [InlineData(SmppCommandStatus.ESME_RX_T_APPN, SmppFailureKind.Temporary)]
    [InlineData(SmppCommandStatus.ESME_RUNKNOWNERR, SmppFailureKind.Temporary)]
    [InlineData(SmppCommandStatus.ESME_RINVDSTADR, SmppFailureKind.Permanent)]
    [InlineData(SmppCommandStatus.ESME_RINVSRCADR, SmppFailureKind.Permanent)]
    [InlineData(SmppCommandStatus.ESME_RINVMSGLEN, SmppFailureKind.Permanent)]
    [InlineData(SmppCommandStatus.ESME_RINVDSTTON, SmppFailureKind.Permanent)]
    [InlineData(SmppCommandStatus.ESME_RINVESMCLASS, SmppFailureKind.Permanent)]
    [InlineData(SmppCommandStatus.ESME_RX_P_APPN, SmppFailureKind.Permanent)]
    [InlineData(0x00000401u, SmppFailureKind.Permanent)]
    public void Classify_Status_GivesKind(uint status, SmppFailureKind kind) =>
        Assert.Equal(kind, SmppErrorClassifier.Classify(status));

    [Theory]
    [InlineData(SmppCommandStatus.ESME_RTHROTTLED, true)]
    [InlineData(SmppCommandStatus.ESME_RMSGQFUL, true)]
    [InlineData(SmppCommandStatus.ESME_RSYSERR, false)]
    public void IsThrottling_Status(uint status, bool throttling) =>
        Assert.Equal(throttling, SmppErrorClassifier.IsThrottling(status));
}
