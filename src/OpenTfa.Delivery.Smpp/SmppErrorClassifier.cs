using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp;

/// <summary>Which SMSC answers to a submit_sm are worth trying again.</summary>
public static class SmppErrorClassifier
{
    /// <summary>
    /// Temporary: the SMSC is busy or broken for now (ESME_RSYSERR, ESME_RMSGQFUL,
    /// ESME_RTHROTTLED, ESME_RINVBNDSTS, ESME_RSUBMITFAIL, ESME_RX_T_APPN,
    /// ESME_RDELIVERYFAILURE, ESME_RUNKNOWNERR). Everything else, vendor-specific codes
    /// included, is permanent: the same message would be refused again.
    /// </summary>
    public static SmppFailureKind Classify(uint commandStatus) => commandStatus switch
    {
        SmppCommandStatus.ESME_ROK => SmppFailureKind.None,
        SmppCommandStatus.ESME_RSYSERR
            or SmppCommandStatus.ESME_RMSGQFUL
            or SmppCommandStatus.ESME_RTHROTTLED
            or SmppCommandStatus.ESME_RINVBNDSTS
            or SmppCommandStatus.ESME_RSUBMITFAIL
            or SmppCommandStatus.ESME_RX_T_APPN
            or SmppCommandStatus.ESME_RDELIVERYFAILURE
            or SmppCommandStatus.ESME_RUNKNOWNERR => SmppFailureKind.Temporary,
        _ => SmppFailureKind.Permanent,
    };

    /// <summary>The SMSC asks the ESME to slow down; the submit is retried after a pause.</summary>
    public static bool IsThrottling(uint commandStatus) =>
        commandStatus is SmppCommandStatus.ESME_RTHROTTLED or SmppCommandStatus.ESME_RMSGQFUL;
}
