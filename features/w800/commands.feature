# W800-AT has none of ESP-AT's extra commands, and names an unknown command.
# Sources: W800 reference §1 (wm_atcmd_mqtt.h registers 12 MQTT commands: no
# AT+MQTTSNI, AT+MQTTCLIENTID, AT+MQTTUSERNAME or AT+MQTTPASSWORD) and §2.2
# (no AT+SYSLOG, no ERR CODE lines); §2.1: index.rst lists CMD FORMAT ERR for
# a command that does not exist.
# Decision (doc-derived, W800 reference §4 items 2 and 12): CMD FORMAT ERR is
# the final line and replaces ERROR. The result enum maps each result to one
# string (WM_AT_RESULT_CMD_ERR → CMD FORMAT ERR, like FAIL → ERROR), and
# Wi-Fi_AT.rst shows CMD PARSE ERR as a whole error response; index.rst's
# "last line is OK or ERROR" is read as covering the ordinary results.
@w800 @doc_derived @basic
Feature: W800-AT answers CMD FORMAT ERR to commands it does not have

  Background:
    Given the device has been reset

  Scenario: an unknown command
    When I send AT+NOSUCHCOMMAND
    Then the device answers:
      """
      CMD FORMAT ERR
      """

  Scenario: AT+SYSLOG does not exist, so no ERR CODE lines can be turned on
    When I send AT+SYSLOG=1
    Then the device answers:
      """
      CMD FORMAT ERR
      """
    When I send AT+SYSLOG?
    Then the device answers:
      """
      CMD FORMAT ERR
      """

  @credentials
  Scenario Outline: the ESP-AT command <command> does not exist
    Given I have sent AT+MQTTUSERCFG=0,1,"w800-cmd","","",0,0,""
    When I send <command>
    Then the device answers:
      """
      CMD FORMAT ERR
      """

    Examples:
      | command                        |
      | AT+MQTTCLIENTID=0,"other"      |
      | AT+MQTTUSERNAME=0,"user"       |
      | AT+MQTTPASSWORD=0,"pass"       |
      | AT+MQTTSNI=0,"broker.example"  |
