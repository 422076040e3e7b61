from socket import *

serverIP = ''  # all interfaces
serverPort = 12000

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind((serverIP, serverPort))
print('The server is ready to receive', flush=True)

while 1:
    message, clientAddress = serverSocket.recvfrom(65535)
    modifiedMessage = message.upper()
    serverSocket.sendto(modifiedMessage, clientAddress)
